import { ProviderError } from '../common/errors';
import type { ImageOutcome, MadeImage } from './made-image';

/**
 * The items whose images were all made, in order, the others left out (`images` holds one
 * outcome list per image step; item `index` takes the `index`-th image of each). When none
 * could be made, the request fails with the first reason rather than answering an empty list.
 */
export function withImages<T>(images: ImageOutcome[][], build: (made: MadeImage[], index: number) => T): T[] {
  const count = images.length === 0 ? 0 : Math.min(...images.map((outcomes) => outcomes.length));
  const items: T[] = [];
  let firstError: Error | undefined;
  for (let index = 0; index < count; index++) {
    const outcomes = images.map((set) => set[index]);
    const failed = outcomes.find((outcome): outcome is { ok: false; error: Error } => !outcome.ok);
    if (failed) firstError ??= failed.error;
    else items.push(build(outcomes.map((outcome) => (outcome as { ok: true; image: MadeImage }).image), index));
  }
  if (items.length === 0 && count > 0) {
    if (firstError instanceof ProviderError) throw firstError;
    throw new ProviderError(`No image could be made: ${firstError?.message ?? 'unknown reason'}`, 'sd', 502, {}, { cause: firstError });
  }
  return items;
}
