import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Connection, mongo } from 'mongoose';

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

const DUPLICATE_KEY = 11000;

/**
 * Content-addressed files in one GridFS bucket. An id is `<owner>:<sha256>`, so the same
 * bytes saved twice by one owner are written once, and two owners never share a file
 * (deleting one owner's orphan can never break another's state).
 */
export class BlobStore {
  protected readonly logger = new Logger(this.constructor.name);
  private readonly bucket: mongo.GridFSBucket;
  private readonly files: mongo.Collection;

  constructor(connection: Connection, bucketName: string) {
    if (!connection.db) throw new Error('BlobStore needs an open database connection');
    this.bucket = new mongo.GridFSBucket(connection.db, { bucketName });
    this.files = connection.db.collection(`${bucketName}.files`);
  }

  static idFor(owner: string, content: Buffer): string {
    return `${owner}:${createHash('sha256').update(content).digest('hex')}`;
  }

  /**
   * Stores `content` unless this owner already has it; either way marks it used now.
   * Returns whether a new file was written, so a failed caller can remove what it added.
   */
  async put(
    owner: string,
    content: Buffer,
    contentType: string,
    extra: Record<string, unknown> = {},
  ): Promise<{ id: string; created: boolean }> {
    const id = BlobStore.idFor(owner, content);
    const touched = await this.files.updateOne({ _id: id as never }, { $set: { 'metadata.lastUsedAt': new Date() } });
    if (touched.matchedCount > 0) return { id, created: false };
    const metadata: BlobMetadata = { ...extra, owner, contentType, lastUsedAt: new Date() };
    try {
      await new Promise<void>((resolve, reject) => {
        const upload = this.bucket.openUploadStreamWithId(id as never, id, { metadata });
        upload.once('error', reject).once('finish', () => resolve());
        upload.end(content);
      });
      return { id, created: true };
    } catch (error) {
      // Another request stored the same bytes for the same owner at the same moment.
      if ((error as { code?: number }).code === DUPLICATE_KEY) return { id, created: false };
      throw error;
    }
  }

  async get(id: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.bucket.openDownloadStream(id as never)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
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

  /** Ids of this owner's files that are not in `keep` and were last used before `unusedSince`. */
  async findUnused(owner: string, keep: ReadonlySet<string>, unusedSince: Date): Promise<string[]> {
    const files = await this.files
      .find({ 'metadata.owner': owner, 'metadata.lastUsedAt': { $lt: unusedSince } }, { projection: { _id: 1 } })
      .toArray();
    return files.map((file) => String(file._id)).filter((id) => !keep.has(id));
  }
}
