/**
 * How a model's list answer becomes items (docs/pipelines.md): newlines become spaces, " ." becomes
 * ".", outer white space goes; then split on "#" (and its full-width form), trim, drop empties.
 */
export function normalizeAnswer(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/ \./g, '.').trim();
}

export function splitItems(text: string): string[] {
  return normalizeAnswer(text)
    .split(/[#＃]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
