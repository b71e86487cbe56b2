import { cutScheme, spliceScheme, stringLiteral } from './scheme-cut';

/** Cuts, then splices back as stored bytes would be: the scheme's JSON text again. */
function roundTrip(scheme: Record<string, unknown>): string {
  const cut = cutScheme(scheme);
  const parts = spliceScheme(
    Buffer.from(cut.text),
    cut.sketches.map((sketch) => ({ at: sketch.at, json: Buffer.from(sketch.json) })),
  );
  return Buffer.concat(parts).toString('utf8');
}

const parsed = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe('cutScheme / spliceScheme', () => {
  it.each([
    ['a plain scheme', { name: '方案1', paths: [{ x: 1, y: 2 }], texts: [], canvasImage: 'data:image/png;base64,AAAA', canvasSvg: '<svg a="1"/>' }],
    ['sketches first, last and between unknown fields', { canvasSvg: '<svg/>', note: null, name: 'x', canvasImage: 'data:image/png;base64,BB==' }],
    ['no sketches', { name: 'x', paths: [], texts: [] }],
    ['sketch fields that are not strings', { name: 'x', canvasImage: null, canvasSvg: { nested: ['<svg/>'] } }],
    ['multi-byte text before a sketch', { name: '设计一款😀运动辅助产品', canvasImage: 'data:image/png;base64,CC==' }],
    ['escapes in keys and values', { 'a"b\\c': '\u0000\n\t"', canvasSvg: '<svg>\u2028"</svg>', '\ud800': '\udfff' }],
    ['an empty SVG', { name: 'x', canvasSvg: '' }],
    ['an empty scheme', {}],
  ])('gives back JSON.stringify of %s', (_label, scheme) => {
    expect(roundTrip(scheme)).toBe(JSON.stringify(scheme));
  });

  it('keeps the key order, including integer-like keys, as JSON.stringify has it', () => {
    const scheme = parsed('{"b":1,"canvasImage":"data:image/png;base64,AA==","2":2,"a":3,"1":4}');
    expect(roundTrip(scheme)).toBe(JSON.stringify(scheme));
  });

  it('keeps __proto__ and constructor keys that JSON.parse made own properties', () => {
    const scheme = parsed('{"__proto__":{"polluted":1},"constructor":{"prototype":{}},"canvasSvg":"<svg/>","x":{"__proto__":[1]}}');
    const text = roundTrip(scheme);
    expect(text).toBe('{"__proto__":{"polluted":1},"constructor":{"prototype":{}},"canvasSvg":"<svg/>","x":{"__proto__":[1]}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('leaves the sketches out of the text, and records byte offsets', () => {
    const cut = cutScheme({ name: '方案', canvasImage: 'data:image/png;base64,AA==', canvasSvg: '<svg/>' });
    expect(cut.text).toBe('{"name":"方案","canvasImage":,"canvasSvg":}');
    expect(cut.sketches.map((sketch) => sketch.json)).toEqual(['"data:image/png;base64,AA=="', '"<svg/>"']);
    // "方案" is 6 bytes in UTF-8 and 2 characters: offsets count bytes.
    expect(cut.sketches[0].at).toBe(Buffer.byteLength('{"name":"方案","canvasImage":'));
    expect(cut.sketches[1].at).toBe(Buffer.byteLength('{"name":"方案","canvasImage":,"canvasSvg":'));
  });

  it('writes a string literal exactly as JSON.stringify does, for every UTF-16 code unit', () => {
    for (let unit = 0; unit <= 0xffff; unit++) {
      const value = `data:${String.fromCharCode(unit)}x`;
      if (stringLiteral(value) !== JSON.stringify(value)) throw new Error(`differs for U+${unit.toString(16)}`);
    }
    const base64 = Buffer.from(Array.from({ length: 3000 }, (_, index) => index % 256)).toString('base64');
    expect(stringLiteral(`data:image/png;base64,${base64}`)).toBe(JSON.stringify(`data:image/png;base64,${base64}`));
    expect(stringLiteral('😀"\\')).toBe(JSON.stringify('😀"\\'));
  });
});
