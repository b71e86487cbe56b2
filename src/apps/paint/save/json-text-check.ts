import { MAX_JSON_DEPTH } from '../../../common/json-shape';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
/** Integer literals this short are always kept exactly (2^53 has 16 digits). */
const ALWAYS_EXACT_DIGITS = 15;

/** Where the scan is: one entry per open object or array. */
interface Frame {
  array: boolean;
  /** The current member's index (arrays) or the position of its key's opening quote (objects). */
  at: number;
}

/**
 * Checks the text of a body that JSON.parse accepted, in one pass and without recursion, for
 * what cannot be kept and given back exactly: nesting deeper than `maxDepth` levels, and
 * integer literals whose value a double cannot hold (`9007199254740993` would come back as
 * `…992`). A number a double holds exactly, such as `1e21` or `-0`, is fine however large.
 * Returns the first problem with its path (`data.designSchemes.快速发散[0].paths`), or undefined.
 */
export function jsonTextProblem(text: string, maxDepth = MAX_JSON_DEPTH): string | undefined {
  const frames: Frame[] = [];
  let expectingKey = false;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = closingQuote(text, i);
      if (expectingKey) {
        frames[frames.length - 1].at = i;
        expectingKey = false;
      }
      i = end + 1;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (frames.length >= maxDepth) return `${pathOf(text, frames)}: nested deeper than ${maxDepth} levels`;
      frames.push({ array: c === OPEN_ARRAY, at: 0 });
      expectingKey = c === OPEN_OBJECT;
      i++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      frames.pop();
      expectingKey = false;
      i++;
    } else if (c === COMMA) {
      const frame = frames[frames.length - 1];
      if (frame.array) frame.at++;
      else expectingKey = true;
      i++;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      let end = i + 1;
      while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
      const literal = text.slice(i, end);
      if (!isExact(literal)) {
        const shown = literal.length > 40 ? `${literal.slice(0, 40)}…` : literal;
        return `${pathOf(text, frames)}: ${shown} is an integer a JSON number cannot hold exactly (beyond ±2^53); send it as a string`;
      }
      i = end;
    } else {
      i++;
    }
  }
  return undefined;
}

function isNumberChar(c: number): boolean {
  return (c >= ZERO && c <= NINE) || c === 0x2e || c === 0x2b || c === MINUS || c === 0x65 || c === 0x45;
}

function isExact(literal: string): boolean {
  if (!/^-?\d+$/.test(literal)) return true;
  if (literal.replace('-', '').length <= ALWAYS_EXACT_DIGITS) return true;
  const value = Number(literal);
  return Number.isFinite(value) && BigInt(value) === BigInt(literal);
}

/** The index of the quote that closes the string opened at `open`. */
function closingQuote(text: string, open: number): number {
  let at = text.indexOf('"', open + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
    at = text.indexOf('"', at + 1);
  }
}

function pathOf(text: string, frames: readonly Frame[]): string {
  let path = '';
  for (const frame of frames) {
    if (frame.array) {
      path += `[${frame.at}]`;
    } else {
      const key = JSON.parse(text.slice(frame.at, closingQuote(text, frame.at) + 1)) as string;
      path += path ? `.${key}` : key;
    }
  }
  return path || 'body';
}
