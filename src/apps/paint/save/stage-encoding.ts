import { createHash } from 'node:crypto';
import type { SchemeField } from '../stages';
import type { ParsedBlob, ParsedSave, ParsedScheme } from './parsed-save';
import { cutScheme } from './scheme-cut';

export type EncodedStages = Pick<ParsedSave, 'stages' | 'blobs' | 'bytes'>;

/**
 * Turns each stage's parsed schemes into blobs: every scheme's text and every sketch, each
 * distinct one once, in one buffer, with its SHA-256 (blobs are stored under their content).
 */
export function encodeStages(lists: Partial<Record<SchemeField, ReadonlyArray<Record<string, unknown>>>>): EncodedStages {
  const pieces = new Map<string, number>();
  const add = (piece: string): number => {
    let index = pieces.get(piece);
    if (index === undefined) pieces.set(piece, (index = pieces.size));
    return index;
  };
  const stages: EncodedStages['stages'] = {};
  for (const [field, schemes] of Object.entries(lists) as [SchemeField, ReadonlyArray<Record<string, unknown>>][]) {
    stages[field] = schemes.map((scheme): ParsedScheme => {
      const cut = cutScheme(scheme);
      return { text: add(cut.text), sketches: cut.sketches.map((sketch) => ({ at: sketch.at, blob: add(sketch.json) })) };
    });
  }

  const texts = [...pieces.keys()];
  // Not from Node's shared pool: the buffer is moved out of the worker whole.
  const bytes = Buffer.allocUnsafeSlow(texts.reduce((total, piece) => total + Buffer.byteLength(piece), 0));
  let offset = 0;
  const blobs = texts.map((piece): ParsedBlob => {
    const start = offset;
    offset += bytes.write(piece, offset, 'utf8');
    return { sha256: createHash('sha256').update(bytes.subarray(start, offset)).digest('hex'), start, end: offset };
  });
  return { stages, blobs, bytes };
}
