/** Scheme fields whose string values are stored apart from the scheme's text: the large ones. */
export const SKETCH_FIELDS: readonly string[] = ['canvasImage', 'canvasSvg'];

export interface SchemeCut {
  /** The scheme's JSON text with the value of each sketch field left out. */
  text: string;
  /** Each sketch's JSON text (a string literal) and where it goes back in, in UTF-8 bytes into `text`; in order. */
  sketches: Array<{ at: number; json: string }>;
}

/**
 * Cuts a parsed scheme into its JSON text (exactly `JSON.stringify(scheme)`, key order and
 * all) minus its sketches, and the sketches. Splicing each sketch back in at its offset gives
 * `JSON.stringify(scheme)` again, without parsing anything. Keeping the text, not the object,
 * means the database's rules on keys (`.`, `$`, NUL) and values (nested arrays) never apply.
 */
export function cutScheme(scheme: Record<string, unknown>): SchemeCut {
  let text = '{';
  let bytes = 1;
  const sketches: SchemeCut['sketches'] = [];
  for (const key of Object.keys(scheme)) {
    const value = scheme[key];
    // JSON.stringify's own rule for members it leaves out (JSON.parse never makes them).
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    const member = `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:`;
    text += member;
    bytes += Buffer.byteLength(member);
    if (typeof value === 'string' && SKETCH_FIELDS.includes(key)) {
      sketches.push({ at: bytes, json: stringLiteral(value) });
      continue;
    }
    const json = JSON.stringify(value);
    text += json;
    bytes += Buffer.byteLength(json);
  }
  return { text: `${text}}`, sketches };
}

/** Printable ASCII other than `"` and `\\`: what JSON.stringify writes back unchanged. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * `JSON.stringify(value)` for a string. A sketch is megabytes of base64 that needs no escaping:
 * proving that takes a sixth of the time JSON.stringify spends scanning it.
 */
export function stringLiteral(value: string): string {
  return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
}

/** The scheme's JSON text again, as bytes: the inverse of cutScheme, on stored bytes. */
export function spliceScheme(text: Buffer, sketches: ReadonlyArray<{ at: number; json: Buffer }>): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  for (const sketch of sketches) {
    parts.push(text.subarray(from, sketch.at), sketch.json);
    from = sketch.at;
  }
  parts.push(text.subarray(from));
  return parts;
}
