import { isProvedImage, ProvedImage, readImageDataUrl } from '../common/image-bytes';

/**
 * The most a record's inputs may take once the sketches are stored apart: the record, its
 * steps and its output must fit in one database document (16 MB), whatever the text holds.
 */
export const MAX_RECORDED_INPUTS_BYTES = 8 * 1024 * 1024;

/**
 * A generation's inputs as the record keeps them: JSON text, so any key the participant's
 * front end sent (`a.b`, `$x`, `__proto__`, a NUL) and any nesting come back exactly as sent,
 * which no database document can promise for such keys. Each string that is a PNG, JPEG or
 * WebP data URL proved by its bytes is a sketch, stored apart and replaced by `{ imageId }`.
 */
export function recordedInputs(
  inputs: Record<string, unknown>,
  imageIdFor: (index: number) => string,
): { text: string; sketches: ProvedImage[] } | { problem: string } {
  const sketches: ProvedImage[] = [];
  const text = withImageIds(inputs, (value) => {
    if (!value.startsWith('data:')) return undefined;
    const image = readImageDataUrl(value);
    return isProvedImage(image) ? imageIdFor(sketches.push(image) - 1) : undefined;
  });
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_RECORDED_INPUTS_BYTES) {
    return {
      problem: `prompts hold ${(bytes / 1024 / 1024).toFixed(1)} MB besides their images, over the ${MAX_RECORDED_INPUTS_BYTES / 1024 / 1024} MB an experiment record can keep`,
    };
  }
  return { text, sketches };
}

/** What the participant was answered, as JSON text, each image it showed replaced by `{ imageId }`. */
export function recordedOutput(output: unknown, imageIdOf: (text: string) => string | undefined): string {
  return withImageIds(output, imageIdOf);
}

/**
 * `value` as JSON text, each string that `imageIdOf` names an image replaced by `{ imageId }`,
 * at any depth. The value itself is not changed.
 */
function withImageIds(value: unknown, imageIdOf: (text: string) => string | undefined): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    const imageId = typeof item === 'string' ? imageIdOf(item) : undefined;
    return imageId ? { imageId } : item;
  });
}

/** A recorded `inputs` or `output` as JSON text (records written before these were text hold the value itself). */
export function recordedText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A recorded `inputs` or `output` as the value it records. */
export function recordedValue(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}
