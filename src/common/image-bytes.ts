import { imageSize } from 'image-size';

/** The image formats accepted wherever the API expects an image, and the type each is served as. */
export const IMAGE_TYPES = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp' } as const;
export type ImageMime = (typeof IMAGE_TYPES)[keyof typeof IMAGE_TYPES];

/** The start of a base64 data URL of any declared type (`data:image/png;base64,`). */
const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)?((?:;[\w.+-]+=[\w.+-]+)*);base64,/;

export interface ProvedImage {
  /** The type the bytes prove, whatever the data URL declared. */
  mime: ImageMime;
  width: number;
  height: number;
  /** The bare base64 of the image. */
  base64: string;
  bytes: number;
}

/** What the bytes are, if they are an image we accept: PNG, JPEG or WebP, with its dimensions. */
export function proveImage(bytes: Buffer): { mime: ImageMime; width: number; height: number } | undefined {
  try {
    const size = imageSize(bytes);
    const mime = IMAGE_TYPES[size.type as keyof typeof IMAGE_TYPES];
    if (!mime || !size.width || !size.height) return undefined;
    return { mime, width: size.width, height: size.height };
  } catch {
    return undefined;
  }
}

/**
 * Reads an image data URL and proves by its bytes that it is a PNG, JPEG or WebP image.
 * Returns the reason it is not, for a 400 that says why.
 */
export function readImageDataUrl(value: unknown): ProvedImage | { problem: string } {
  if (typeof value !== 'string') return { problem: 'must be an image data URL (data:image/png;base64,…)' };
  const header = DATA_URL.exec(value.slice(0, 200));
  if (!header) return { problem: 'must be an image data URL (data:image/png;base64,…)' };
  const base64 = value.slice(header[0].length);
  const bytes = Buffer.from(base64, 'base64');
  // Node's decoder skips what is not base64 (and takes the URL-safe alphabet too): only text
  // that encodes back to itself is the image it claims to be. Four times faster than a regular
  // expression over megabytes of text.
  if (bytes.toString('base64') !== base64) return { problem: 'is not valid base64 after the data URL header' };
  const proved = proveImage(bytes);
  if (!proved) return { problem: 'is not a PNG, JPEG or WebP image (checked by its bytes)' };
  return { ...proved, base64, bytes: bytes.length };
}

export function isProvedImage(result: ProvedImage | { problem: string }): result is ProvedImage {
  return !('problem' in result);
}
