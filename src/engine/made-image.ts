import type { SdImage } from '../providers/sd/sd.types';

/** An image that was made, with the id the record keeps it under. */
export interface MadeImage extends SdImage {
  imageId?: string;
}

/** Outcome of one image: made, or the reason it was not. */
export type ImageOutcome = { ok: true; image: MadeImage } | { ok: false; error: Error };
