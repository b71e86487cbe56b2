import { createHash } from 'node:crypto';

/**
 * JSON text of `value` with every object's keys sorted, so that two bodies that differ only
 * in key order (or in how a number was written) read as the same inputs. Values come from a
 * JSON body: no cycles, and nesting is bounded before any handler runs (json-shape.middleware).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const members = Object.keys(object)
      .sort()
      .filter((key) => object[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Who asked: the participant when one is named, else the client (its address and User-Agent). */
export interface Requester {
  username?: string;
  address?: string;
  userAgent?: string;
}

/**
 * What makes two generation requests the same run: app, type, inputs (canonically) and who
 * asked. Requests of different participants, or unnamed ones from different clients, never
 * share a run, whatever their inputs.
 */
export function jobKey(request: { appid: number; type: number; prompts: unknown }, requester: Requester): string {
  const who = requester.username !== undefined ? ['participant', requester.username] : ['client', requester.address ?? '', requester.userAgent ?? ''];
  return createHash('sha256')
    .update(canonicalJson([request.appid, request.type, who]))
    .update('\n')
    .update(canonicalJson(request.prompts))
    .digest('hex');
}
