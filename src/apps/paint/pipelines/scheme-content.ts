/**
 * What a scheme of the canvas carries: the notes the designer wrote and the sketch they drew.
 * A scheme may be only sketched (its notes empty) or only written; the validation of the
 * inputs and the prompts read a scheme through these, so both agree on what counts.
 */

/** The notes that say something, trimmed: blank ones ("  ") count as no note. */
export function notesOf(texts: unknown): string[] {
  if (!Array.isArray(texts)) return [];
  return texts.flatMap((text) => (typeof text === 'string' && text.trim() !== '' ? [text.trim()] : []));
}

/** A sketch is there when the scheme sends one; whether it is a real image is checked on its own field. */
export function hasSketch(image: unknown): image is string {
  return typeof image === 'string' && image !== '';
}

/** The scheme says something: at least one note, or a sketch. */
export function carriesScheme(scheme: unknown): boolean {
  if (typeof scheme !== 'object' || scheme === null) return false;
  const { designTexts, designImage } = scheme as { designTexts?: unknown; designImage?: unknown };
  return notesOf(designTexts).length > 0 || hasSketch(designImage);
}

/**
 * How a scheme's notes are shown to the model: joined with commas. Empty when there are
 * none, and the templates then word the scheme as only sketched.
 */
export function joinTexts(texts: readonly string[]): string {
  return notesOf(texts).join('，');
}

/** A scheme as a template lists it; `imageNumber` is its sketch's place among the images shown. */
export interface DescribedScheme {
  number: number;
  imageNumber: number | null;
  texts: string;
}

/**
 * Schemes as a vision step shows them: each described for its template, and the sketches in
 * scheme order; a scheme without a sketch is described by its notes only.
 */
export function describeSchemes(schemes: readonly { designTexts: readonly string[]; designImage?: string }[]): {
  described: DescribedScheme[];
  sketches: string[];
} {
  const sketches: string[] = [];
  const described = schemes.map((scheme, index) => {
    if (hasSketch(scheme.designImage)) sketches.push(scheme.designImage);
    return { number: index + 1, imageNumber: hasSketch(scheme.designImage) ? sketches.length : null, texts: joinTexts(scheme.designTexts) };
  });
  return { described, sketches };
}
