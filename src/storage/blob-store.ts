import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Connection, mongo } from 'mongoose';
import { DUPLICATE_KEY } from '../common/mongo-errors';

export interface BlobMetadata {
  owner: string;
  contentType: string;
  lastUsedAt: Date;
  [key: string]: unknown;
}

export interface StoredBlob {
  id: string;
  length: number;
  metadata: BlobMetadata;
}

const BASE64_SLICE = 256 * 1024;

/**
 * Content-addressed files in one GridFS bucket. An id is `<owner>:<sha256>`, so the same
 * bytes saved twice by one owner are written once, and two owners never share a file
 * (deleting one owner's orphan can never break another's state).
 */
export class BlobStore {
  private readonly bucket: mongo.GridFSBucket;
  private readonly files: mongo.Collection;
  private readonly chunks: mongo.Collection;

  constructor(connection: Connection, bucketName: string) {
    if (!connection.db) throw new Error('BlobStore needs an open database connection');
    this.bucket = new mongo.GridFSBucket(connection.db, { bucketName });
    this.files = connection.db.collection(`${bucketName}.files`);
    this.chunks = connection.db.collection(`${bucketName}.chunks`);
  }

  static idFor(owner: string, content: Buffer): string {
    return `${owner}:${createHash('sha256').update(content).digest('hex')}`;
  }

  /** Stores `content` unless this owner already has it; either way marks it used now. Returns its id. */
  async put(
    owner: string,
    content: Buffer,
    contentType: string,
    extra: Record<string, unknown> = {},
  ): Promise<string> {
    const id = BlobStore.idFor(owner, content);
    const touched = await this.files.updateOne({ _id: id as never }, { $set: { 'metadata.lastUsedAt': new Date() } });
    if (touched.matchedCount > 0) return id;
    const metadata: BlobMetadata = { ...extra, owner, contentType, lastUsedAt: new Date() };
    try {
      await new Promise<void>((resolve, reject) => {
        const upload = this.bucket.openUploadStreamWithId(id as never, id, { metadata });
        upload.once('error', reject).once('finish', () => resolve());
        upload.end(content);
      });
      return id;
    } catch (error) {
      // Another request stored the same bytes for the same owner at the same moment.
      if ((error as { code?: number }).code === DUPLICATE_KEY) return id;
      throw error;
    }
  }

  /**
   * Stores base64 text as bytes under `id`, decoding a slice at a time, so an image is never
   * held twice in memory (the caller keeps the base64 it answers with).
   */
  async putBase64(id: string, owner: string, base64: string, contentType: string, extra: Record<string, unknown> = {}): Promise<string> {
    const metadata: BlobMetadata = { ...extra, owner, contentType, lastUsedAt: new Date() };
    const upload = this.bucket.openUploadStreamWithId(id as never, id, { metadata });
    try {
      await pipeline(
        Readable.from(
          (function* slices() {
            // A multiple of 4 base64 characters decodes on its own.
            for (let start = 0; start < base64.length; start += BASE64_SLICE) {
              yield Buffer.from(base64.slice(start, start + BASE64_SLICE), 'base64');
            }
          })(),
        ),
        upload,
      );
    } catch (error) {
      // Leave no partial file behind, so the same upload can be tried again.
      await this.chunks.deleteMany({ files_id: id as never }).catch(() => undefined);
      throw error;
    }
    return id;
  }

  /** Deletes every file of one owner; returns how many there were. */
  async deleteOwned(owner: string): Promise<number> {
    const files = await this.files.find({ 'metadata.owner': owner }, { projection: { _id: 1 } }).toArray();
    await this.delete(files.map((file) => String(file._id)));
    return files.length;
  }

  /**
   * Reads several files with one query for all their chunks; one GridFS download per file
   * would cost a query each (and, on servers that scan rather than use the chunk index, a scan each).
   */
  async getMany(ids: readonly string[], options: { skipMissing?: boolean } = {}): Promise<Map<string, Buffer>> {
    if (ids.length === 0) return new Map();
    // Which files exist comes from the files collection: an empty file has no chunks.
    const files = await this.files.find({ _id: { $in: ids as never[] } }, { projection: { _id: 1 } }).toArray();
    const parts = new Map<string, Buffer[]>(files.map((file) => [String(file._id), []]));
    const missing = ids.filter((id) => !parts.has(id));
    if (missing.length && !options.skipMissing) throw new MissingBlobError(missing);
    const chunks = this.chunks.find({ files_id: { $in: [...parts.keys()] as never[] } }).sort({ files_id: 1, n: 1 });
    for await (const chunk of chunks) parts.get(String(chunk.files_id))?.push(Buffer.from((chunk.data as mongo.Binary).buffer));
    return new Map([...parts].map(([id, list]) => [id, Buffer.concat(list)]));
  }

  /** Streams a file without holding it whole in memory. */
  openStream(id: string): Readable {
    return this.bucket.openDownloadStream(id as never);
  }

  async find(id: string): Promise<StoredBlob | null> {
    const file = await this.files.findOne({ _id: id as never });
    return file ? { id, length: file.length as number, metadata: file.metadata as BlobMetadata } : null;
  }

  async delete(ids: Iterable<string>): Promise<void> {
    for (const id of ids) {
      try {
        await this.bucket.delete(id as never);
      } catch (error) {
        // Already gone is the outcome we wanted.
        if (!(error instanceof mongo.MongoRuntimeError) || !/not found/i.test(error.message)) throw error;
      }
    }
  }

  /**
   * Deletes a file only if nobody has used it since `since`: a save running at the same time
   * that reuses it moves that mark, and keeps it.
   */
  async deleteIfUnused(id: string, since: Date): Promise<boolean> {
    const removed = await this.files.deleteOne({ _id: id as never, 'metadata.lastUsedAt': { $lt: since } });
    if (removed.deletedCount === 0) return false;
    await this.chunks.deleteMany({ files_id: id as never });
    return true;
  }

  /** Ids of this owner's files that are not in `keep` and were last used before `unusedSince`. */
  async findUnused(owner: string, keep: ReadonlySet<string>, unusedSince: Date): Promise<string[]> {
    const files = await this.files
      .find({ 'metadata.owner': owner, 'metadata.lastUsedAt': { $lt: unusedSince } }, { projection: { _id: 1 } })
      .toArray();
    return files.map((file) => String(file._id)).filter((id) => !keep.has(id));
  }
}

/** A file the caller expected is not in the store. */
export class MissingBlobError extends Error {
  constructor(readonly ids: string[]) {
    super(`Files missing from the store: ${ids.join(', ')}`);
  }
}
