/**
 * How long a server asked to be left alone, in ms: `retry-after-ms` (OpenAI, Azure) first,
 * then `retry-after` as seconds or an HTTP date. Undefined when neither says anything usable.
 */
export function retryAfterMs(headers: Pick<Headers, 'get'> | undefined, now = Date.now()): number | undefined {
  const ms = parseNumber(headers?.get('retry-after-ms'));
  if (ms !== undefined) return ms;
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  const seconds = parseNumber(value);
  if (seconds !== undefined) return seconds * 1000;
  // An HTTP date names its weekday or month; Date.parse alone would take "-5" for a year.
  const date = /[a-z]{3}/i.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parseNumber(value: string | null | undefined): number | undefined {
  if (!value || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Number(value);
}
