import { createHash } from 'node:crypto';

/** What JSON.stringify would escape in a string (lone or paired surrogates are left to it). */
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * Writes `value` as JSON text with every object's keys sorted, piece by piece, so that a large
 * body (sketches of tens of MB) is never copied into one string. Values come from a JSON body:
 * no cycles, and nesting is bounded before any handler runs (json-shape.middleware).
 */
function writeCanonicalJson(value: unknown, write: (piece: string) => void): void {
  if (typeof value === 'string') {
    // A sketch's base64 needs no escaping: written as it is, not scanned and copied again.
    if (NEEDS_ESCAPING.test(value)) return write(JSON.stringify(value));
    write('"');
    write(value);
    return write('"');
  }
  if (Array.isArray(value)) {
    write('[');
    value.forEach((item, index) => {
      if (index > 0) write(',');
      writeCanonicalJson(item === undefined ? null : item, write);
    });
    return write(']');
  }
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    write('{');
    Object.keys(object)
      .sort()
      .filter((key) => object[key] !== undefined)
      .forEach((key, index) => {
        if (index > 0) write(',');
        writeCanonicalJson(key, write);
        write(':');
        writeCanonicalJson(object[key], write);
      });
    return write('}');
  }
  write(JSON.stringify(value) ?? 'null');
}

/**
 * JSON text of `value` with every object's keys sorted, so that two bodies that differ only
 * in key order (or in how a number was written) read as the same inputs.
 */
export function canonicalJson(value: unknown): string {
  const pieces: string[] = [];
  writeCanonicalJson(value, (piece) => pieces.push(piece));
  return pieces.join('');
}

/** Who asked: the participant when one is named, else the client (its address and User-Agent). */
export interface Requester {
  username?: string;
  address?: string;
  userAgent?: string;
}

/**
 * What makes two generation requests the same run: app, type, inputs (as canonical JSON) and
 * who asked. Requests of different participants, or unnamed ones from different clients, never
 * share a run, whatever their inputs.
 */
export function jobKey(request: { appid: number; type: number; prompts: unknown }, requester: Requester): string {
  const who = requester.username !== undefined ? ['participant', requester.username] : ['client', requester.address ?? '', requester.userAgent ?? ''];
  const hash = createHash('sha256');
  const write = (piece: string) => hash.update(piece);
  writeCanonicalJson([request.appid, request.type, who], write);
  write('\n');
  writeCanonicalJson(request.prompts, write);
  return hash.digest('hex');
}
