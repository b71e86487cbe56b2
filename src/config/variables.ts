import { Transform } from 'class-transformer';

/** Environment values are text; numeric variables are read as numbers (blank counts as unset). */
export const ToNumber = () => Transform(({ value }) => (typeof value === 'string' ? Number(value) : value));

/** `true`/`false` (any case) as a boolean; anything else stays text so the rule names it. */
export const ToBoolean = () =>
  Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const lower = value.toLowerCase();
    return lower === 'true' ? true : lower === 'false' ? false : value;
  });

export const HTTP_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/** A body-parser size such as 512kb, 50mb or 1gb. */
export const SIZE = /^\d+(\.\d+)?\s*(b|kb|mb|gb)$/i;
export const SIZE_MESSAGE = 'must be a size such as 50mb, 512kb or 1gb';

/** Comma-separated http(s) base URLs or origins. */
export const URL_LIST = /^https?:\/\/[^,\s]+(\s*,\s*https?:\/\/[^,\s]+)*$/;

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
