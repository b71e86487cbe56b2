import { OnModuleInit } from '@nestjs/common';
import { Readable } from 'node:stream';
import { Connection, mongo } from 'mongoose';
import pLimit from 'p-limit';
import { isDuplicateKey, withWriteRetry } from '../common/mongo-errors';
import { BlobCache } from './blob-cache';

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

/** A file to store: `bytes` may be a view into a larger buffer. */
export interface NewBlob {
  id: string;
  owner: string;
  contentType: string;
  bytes: Uint8Array;
  extra?: Record<string, unknown>;
}

/** A file the caller knows the length of, from its own records. */
export interface BlobLocation {
  id: string;
  length: number;
}

interface FileDoc {
  _id: string;
  length: number;
  chunkSize: number;
  uploadDate: Date;
  filename: string;
  metadata: BlobMetadata;
}

interface ChunkDoc {
  _id: string | mongo.ObjectId;
  files_id: string;
  n: number;
  data: mongo.Binary;
}

/**
 * Part of the layout, never to change: chunk n of a file holds its bytes [n × size, (n + 1) × size).
 * 1 MB keeps a sketch (50 KB–1 MB) to one chunk, so one read.
 */
export const CHUNK_SIZE = 1024 * 1024;
/** Reads and writes one call keeps in flight; enough to hide latency, few enough to share the pool. */
const IO_CONCURRENCY = 8;

export const chunkId = (fileId: string, n: number): string => `${fileId}#${n}`;
const chunkCount = (length: number, chunkSize = CHUNK_SIZE): number => Math.ceil(length / chunkSize);

/**
 * Files in one bucket, in GridFS's collections (`<bucket>.files`, `<bucket>.chunks`) and
 * shape, so MongoDB's tools and the driver's GridFS streams read them. What differs is the
 * chunk's `_id`: `<fileId>#<n>`, derived from the file id, so every read, update and delete is
 * by `_id` alone — the one lookup the embedded database answers from an index (any other
 * filter reads its whole table; see tools/ferretdb/launcher.ts). A chunk written by the
 * driver (an ObjectId `_id`) is still found, by the slower `files_id` query.
 *
 * Chunks are written before the files document, so a file is visible only once whole.
 */
export class BlobStore implements OnModuleInit {
  private readonly bucket: mongo.GridFSBucket;
  private readonly files: mongo.Collection<FileDoc>;
  private readonly chunks: mongo.Collection<ChunkDoc>;

  /** `cache` keeps recently read and written files: for stores whose file ids name their content. */
  constructor(
    connection: Connection,
    bucketName: string,
    private readonly cache?: BlobCache,
  ) {
    if (!connection.db) throw new Error('BlobStore needs an open database connection');
    this.bucket = new mongo.GridFSBucket(connection.db, { bucketName, chunkSizeBytes: CHUNK_SIZE });
    this.files = connection.db.collection<FileDoc>(`${bucketName}.files`);
    this.chunks = connection.db.collection<ChunkDoc>(`${bucketName}.chunks`);
  }

  /** GridFS's own indexes (MongoDB's tools expect them), and the owner's for deleteOwned. */
  async onModuleInit(): Promise<void> {
    await this.files.createIndex({ filename: 1, uploadDate: 1 });
    await this.files.createIndex({ 'metadata.owner': 1 });
    await this.chunks.createIndex({ files_id: 1, n: 1 }, { unique: true });
  }

  /**
   * Stores files that may already exist: a file stored before (the same content, since ids
   * name contents) is only marked used now.
   */
  async write(blobs: readonly NewBlob[]): Promise<void> {
    const missing = new Set(await this.touch(blobs.map((blob) => blob.id)));
    const toStore = blobs.filter((blob) => missing.has(blob.id));
    if (toStore.length === 0) return;
    const now = new Date();
    const chunks: ChunkDoc[] = toStore.flatMap((blob) =>
      Array.from({ length: chunkCount(blob.bytes.length) }, (_, n) => ({
        _id: chunkId(blob.id, n),
        files_id: blob.id,
        n,
        data: new mongo.Binary(blob.bytes.subarray(n * CHUNK_SIZE, (n + 1) * CHUNK_SIZE)),
      })),
    );
    // A chunk already there is left over from a write that stopped before its files document.
    const leftover = await this.insertAll(this.chunks, chunks);
    await this.limited(leftover, (chunk) => withWriteRetry(() => this.chunks.replaceOne({ _id: chunk._id }, chunk, { upsert: true })));

    const files: FileDoc[] = toStore.map((blob) => ({
      _id: blob.id,
      length: blob.bytes.length,
      chunkSize: CHUNK_SIZE,
      uploadDate: now,
      filename: blob.id,
      metadata: { ...blob.extra, owner: blob.owner, contentType: blob.contentType, lastUsedAt: now },
    }));
    // Stored meanwhile by another request: marked used like the others.
    const raced = await this.insertAll(this.files, files);
    await this.touch(raced.map((file) => file._id));
    for (const blob of toStore) this.cache?.set(blob.id, blob.bytes);
  }

  /** One file's bytes, read by chunk `_id`s alone when the caller knows its length. */
  async read(file: BlobLocation): Promise<Buffer> {
    const cached = this.cache?.get(file.id);
    if (cached) return cached;
    const bytes = await this.readChunks(file);
    this.cache?.set(file.id, bytes);
    return bytes;
  }

  private async readChunks(file: BlobLocation): Promise<Buffer> {
    const parts = await this.limited(Array.from({ length: chunkCount(file.length) }, (_, n) => n), (n) =>
      this.chunks.findOne({ _id: chunkId(file.id, n) }),
    );
    const complete = parts.every((chunk, n) => chunk && chunk.data.length() === Math.min(CHUNK_SIZE, file.length - n * CHUNK_SIZE));
    if (complete) return joined(parts.map((chunk) => chunk!.data));
    const stored = await this.files.findOne({ _id: file.id });
    if (!stored) throw new MissingBlobError([file.id]);
    return this.readStored(stored);
  }

  async find(id: string): Promise<StoredBlob | null> {
    const file = await this.files.findOne({ _id: id });
    return file ? { id, length: file.length, metadata: file.metadata } : null;
  }

  async getMany(ids: readonly string[], options: { skipMissing?: boolean } = {}): Promise<Map<string, Buffer>> {
    const found = await this.limited(ids, async (id) => {
      const file = await this.files.findOne({ _id: id });
      return file ? ([id, await this.readStored(file)] as const) : undefined;
    });
    const missing = ids.filter((_, index) => !found[index]);
    if (missing.length && !options.skipMissing) throw new MissingBlobError(missing);
    return new Map(found.filter((entry) => entry !== undefined));
  }

  /** Streams a file a chunk at a time, without holding it whole in memory. */
  openStream(id: string): Readable {
    const store = this;
    return Readable.from(
      (async function* chunks() {
        const file = await store.files.findOne({ _id: id });
        if (!file) throw new MissingBlobError([id]);
        if (await store.isLegacy(file)) {
          yield* store.bucket.openDownloadStream(id as never);
          return;
        }
        for (let n = 0; n < chunkCount(file.length, file.chunkSize); n++) {
          const chunk = await store.chunks.findOne({ _id: chunkId(id, n) });
          if (!chunk) throw new MissingBlobError([id]);
          yield bytesOf(chunk.data);
        }
      })(),
      { objectMode: false },
    );
  }

  /** Stores base64 text as bytes under `id` (an id that names one upload, not a content). */
  async putBase64(id: string, owner: string, base64: string, contentType: string, extra: Record<string, unknown> = {}): Promise<string> {
    const bytes = Buffer.from(base64, 'base64');
    try {
      await this.write([{ id, owner, contentType, bytes, extra }]);
    } catch (error) {
      // Leave no partial file behind, so the same upload can be tried again.
      await this.deleteChunks({ id, length: bytes.length }).catch(() => undefined);
      throw error;
    }
    return id;
  }

  /** Deletes every file of one owner; returns how many there were. */
  async deleteOwned(owner: string): Promise<number> {
    const files = await this.files.find({ 'metadata.owner': owner }).toArray();
    await this.limited(files, (file) => this.deleteStored(file));
    return files.length;
  }

  /**
   * Deletes those of `candidates` that nobody has marked used (written or touched) since
   * `unusedSince`; returns the ids of those now gone. A save in another process that reuses
   * one of them touches it first, and keeps it.
   */
  async deleteUnused(candidates: readonly BlobLocation[], unusedSince: Date): Promise<string[]> {
    const deleted = await this.limited(candidates, async (candidate) => {
      const file = await this.files.findOne({ _id: candidate.id });
      if (!file) return true;
      if (file.metadata.lastUsedAt >= unusedSince) return false;
      await this.deleteStored(file);
      return true;
    });
    return candidates.filter((_, index) => deleted[index]).map((candidate) => candidate.id);
  }

  /** Marks files used now (see deleteUnused); returns the ids of those that do not exist. */
  private async touch(ids: readonly string[]): Promise<string[]> {
    const now = new Date();
    const matched = await this.limited(ids, (id) =>
      withWriteRetry(() => this.files.updateOne({ _id: id }, { $set: { 'metadata.lastUsedAt': now } })).then((result) => result.matchedCount > 0),
    );
    return ids.filter((_, index) => !matched[index]);
  }

  /** Inserts every document it can; returns those whose `_id` was taken already. */
  private async insertAll<T extends { _id: unknown }>(collection: mongo.Collection<T>, docs: T[]): Promise<T[]> {
    const taken: T[] = [];
    let pending = docs;
    await withWriteRetry(async () => {
      if (pending.length === 0) return;
      try {
        await collection.insertMany(pending as mongo.OptionalUnlessRequiredId<T>[], { ordered: false });
        pending = [];
      } catch (error) {
        if (!(error instanceof mongo.MongoBulkWriteError)) throw error;
        const failures = [error.writeErrors].flat();
        const retried = failures.filter((failure) => !isDuplicateKey(failure));
        taken.push(...failures.filter(isDuplicateKey).map((failure) => pending[failure.index]));
        pending = retried.map((failure) => pending[failure.index]);
        // Tried again only when the server refused it for a moment (see withWriteRetry).
        if (retried.length) throw Object.assign(new Error(retried[0].errmsg), { code: retried[0].code });
      }
    });
    return taken;
  }

  private async readStored(file: FileDoc): Promise<Buffer> {
    if (await this.isLegacy(file)) {
      const parts: Buffer[] = [];
      for await (const chunk of this.chunks.find({ files_id: file._id }).sort({ n: 1 })) parts.push(bytesOf(chunk.data));
      return checkedLength(file, Buffer.concat(parts));
    }
    const parts = await this.limited(Array.from({ length: chunkCount(file.length, file.chunkSize) }, (_, n) => n), (n) =>
      this.chunks.findOne({ _id: chunkId(file._id, n) }),
    );
    if (parts.some((chunk) => !chunk)) throw new MissingBlobError([file._id]);
    return checkedLength(file, joined(parts.map((chunk) => chunk!.data)));
  }

  /** Written by the driver's GridFS (chunk `_id`s are ObjectIds), so only `files_id` finds its chunks. */
  private async isLegacy(file: FileDoc): Promise<boolean> {
    return file.length > 0 && !(await this.chunks.findOne({ _id: chunkId(file._id, 0) }, { projection: { _id: 1 } }));
  }

  private async deleteStored(file: FileDoc): Promise<void> {
    const legacy = await this.isLegacy(file);
    // The files document first: from then on the file is gone for every reader.
    await withWriteRetry(() => this.files.deleteOne({ _id: file._id }));
    if (legacy) await withWriteRetry(() => this.chunks.deleteMany({ files_id: file._id }));
    else await this.deleteChunks({ id: file._id, length: file.length }, file.chunkSize);
  }

  private async deleteChunks(file: BlobLocation, chunkSize = CHUNK_SIZE): Promise<void> {
    const count = chunkCount(file.length, chunkSize);
    if (count === 0) return;
    const deletes = Array.from({ length: count }, (_, n) => ({ deleteOne: { filter: { _id: chunkId(file.id, n) } } }));
    await withWriteRetry(() => this.chunks.bulkWrite(deletes, { ordered: false }));
  }

  private limited<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
    const limit = pLimit(IO_CONCURRENCY);
    return Promise.all(items.map((item) => limit(() => run(item))));
  }
}

function bytesOf(data: mongo.Binary): Buffer {
  const view = data.buffer.subarray(0, data.length());
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** A one-chunk file (most) is returned without a copy. */
function joined(chunks: mongo.Binary[]): Buffer {
  return chunks.length === 1 ? bytesOf(chunks[0]) : Buffer.concat(chunks.map(bytesOf));
}

function checkedLength(file: FileDoc, bytes: Buffer): Buffer {
  if (bytes.length !== file.length) throw new MissingBlobError([file._id]);
  return bytes;
}

/** A file the caller expected is not in the store, or not whole. */
export class MissingBlobError extends Error {
  constructor(readonly ids: string[]) {
    super(`Files missing from the store: ${ids.join(', ')}`);
    this.name = 'MissingBlobError';
  }
}
