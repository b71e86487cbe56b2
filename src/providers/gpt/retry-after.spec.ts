import { retryAfterMs } from './retry-after';

const headers = (entries: Record<string, string>) => new Headers(entries);

describe('retryAfterMs', () => {
  const now = Date.parse('2025-03-01T12:00:00Z');

  it('reads retry-after-ms first, as OpenAI and Azure send it beside retry-after', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '1500', 'retry-after': '2' }), now)).toBe(1500);
    expect(retryAfterMs(headers({ 'retry-after-ms': '12.5' }), now)).toBe(12.5);
  });

  it('reads retry-after as seconds', () => {
    expect(retryAfterMs(headers({ 'retry-after': '3' }), now)).toBe(3000);
    expect(retryAfterMs(headers({ 'retry-after': ' 0.25 ' }), now)).toBe(250);
  });

  it('reads retry-after as an HTTP date, and a date already past as no wait', () => {
    expect(retryAfterMs(headers({ 'retry-after': 'Sat, 01 Mar 2025 12:00:07 GMT' }), now)).toBe(7000);
    expect(retryAfterMs(headers({ 'retry-after': 'Sat, 01 Mar 2025 11:59:00 GMT' }), now)).toBe(0);
  });

  it('ignores what is missing or unreadable, falling back from a bad retry-after-ms', () => {
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs(headers({}), now)).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after': '-5' }), now)).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after-ms': 'NaN', 'retry-after': '1' }), now)).toBe(1000);
  });
});
