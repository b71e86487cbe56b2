/**
 * Moves the large strings of a drawing state out of the schemes and back.
 *
 * A long session's sketches exceed the 16 MB a MongoDB document holds, so each large field
 * is replaced in place by `{ blobId }` (in place, so the scheme keeps its key order) and its
 * text goes to the sketch store. Pure functions: no I/O here.
 */

/** Scheme fields whose values go to the sketch store. */
export const EXTERNAL_FIELDS = ['canvasImage', 'canvasSvg'] as const;

export type Scheme = Record<string, unknown>;

export interface BlobRef {
  blobId: string;
}

function isBlobRef(value: unknown): value is BlobRef {
  return typeof value === 'object' && value !== null && typeof (value as BlobRef).blobId === 'string';
}

/** Returns the stored form of `schemes` and the strings to write, each keyed by its content. */
export function externalize(
  schemes: readonly object[],
  idFor: (content: Buffer) => string,
): { stored: Scheme[]; blobs: Map<string, Buffer> } {
  const blobs = new Map<string, Buffer>();
  const stored = schemes.map((scheme) => {
    const copy: Scheme = { ...scheme };
    for (const field of EXTERNAL_FIELDS) {
      const value = copy[field];
      if (typeof value !== 'string') continue;
      const content = Buffer.from(value, 'utf8');
      const blobId = idFor(content);
      blobs.set(blobId, content);
      copy[field] = { blobId } satisfies BlobRef;
    }
    return copy;
  });
  return { stored, blobs };
}

/** The blob ids a stored list of schemes refers to. */
export function referencedBlobs(schemes: Scheme[]): string[] {
  return schemes.flatMap((scheme) =>
    EXTERNAL_FIELDS.map((field) => scheme[field]).filter(isBlobRef).map((ref) => ref.blobId),
  );
}

/** Puts the stored strings back where they were. */
export function internalize(schemes: Scheme[], contents: ReadonlyMap<string, string>): Scheme[] {
  return schemes.map((scheme) => {
    const copy: Scheme = { ...scheme };
    for (const field of EXTERNAL_FIELDS) {
      const ref = copy[field];
      if (!isBlobRef(ref)) continue;
      const content = contents.get(ref.blobId);
      if (content === undefined) throw new Error(`Sketch ${ref.blobId} is missing from the sketch store`);
      copy[field] = content;
    }
    return copy;
  });
}
