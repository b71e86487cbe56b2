import { Readable } from 'node:stream';
import { ImageMime, proveImage } from './image-bytes';

/**
 * Reads the first chunk of a stored image to prove what it is (a PNG, JPEG or WebP image
 * names its type and size in its first bytes), then gives the whole stream back unchanged.
 * `mime` is undefined when the bytes are not such an image, whatever the file was stored as.
 */
export async function proveImageStream(source: Readable): Promise<{ mime?: ImageMime; stream: Readable }> {
  const chunks = source[Symbol.asyncIterator]();
  let first: IteratorResult<Buffer>;
  try {
    first = (await chunks.next()) as IteratorResult<Buffer>;
  } catch (error) {
    source.destroy();
    throw error;
  }
  const mime = first.done ? undefined : proveImage(first.value)?.mime;
  const stream = Readable.from(
    (async function* rest() {
      try {
        if (!first.done) yield first.value;
        for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value as Buffer;
      } finally {
        // A client that left early ends the read of the file too.
        await chunks.return?.();
      }
    })(),
    { objectMode: false },
  );
  return { mime, stream };
}
