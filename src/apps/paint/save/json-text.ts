import { isAscii, isUtf8 } from 'node:buffer';

/**
 * The text of a UTF-8 JSON body, for JSON.parse, or undefined when the bytes are not UTF-8.
 *
 * A few characters beyond ASCII (a design task in Chinese) would make V8 hold the whole body,
 * megabytes of base64 sketches included, as a two-byte string, which costs several times as
 * much to build, parse and cut. JSON allows such characters only inside string literals, where
 * `\uXXXX` stands for the same character, so they are written as escapes and the text stays
 * one byte per character: JSON.parse gives the same values.
 */
/** Bytes checked at once for anything beyond ASCII. */
const ASCII_STRETCH = 4096;

export function jsonText(bytes: Uint8Array): string | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isAscii(buffer)) return buffer.toString('latin1');
  if (!isUtf8(buffer)) return undefined;
  const parts: string[] = [];
  let from = 0;
  let index = 0;
  while (index < buffer.length) {
    // Whole stretches of ASCII (the sketches' base64) are passed over by the native check.
    const end = Math.min(index + ASCII_STRETCH, buffer.length);
    if (isAscii(buffer.subarray(index, end))) {
      index = end;
      continue;
    }
    for (; index < end; index++) {
      const byte = buffer[index];
      if (byte < 0x80) continue;
      parts.push(buffer.toString('latin1', from, index));
      const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      // Valid UTF-8 (checked above), so the sequence is whole, even across the stretch's end.
      for (const unit of buffer.toString('utf8', index, index + length)) parts.push(escape(unit));
      index += length - 1;
      from = index + 1;
    }
  }
  parts.push(buffer.toString('latin1', from));
  return parts.join('');
}

function escape(character: string): string {
  let escaped = '';
  for (let unit = 0; unit < character.length; unit++) escaped += `\\u${character.charCodeAt(unit).toString(16).padStart(4, '0')}`;
  return escaped;
}
