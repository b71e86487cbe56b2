import { jsonText } from './json-text';

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

describe('jsonText', () => {
  it.each([
    ['ASCII only', '{"a":"data:image/png;base64,AAAA","b":[1,2.5,-0]}'],
    ['Chinese in values and keys', '{"设计":"设计一款运动辅助产品","name":"方案1"}'],
    ['emoji (astral, a surrogate pair)', '{"text":"😀 ok 𝄞"}'],
    ['two- and three-byte characters next to escapes', '{"x":"é\\u00e9\\n€\\"€"}'],
    ['a character right at the end of a string', '["ü"]'],
  ])('parses to the same value as the UTF-8 text: %s', (_label, text) => {
    const converted = jsonText(bytes(text))!;
    expect(/^[\x00-\x7f]*$/.test(converted)).toBe(true);
    expect(JSON.stringify(JSON.parse(converted))).toBe(JSON.stringify(JSON.parse(text)));
  });

  it('handles characters on and across the boundaries of the stretches it checks at once', () => {
    for (const pad of [4093, 4094, 4095, 4096, 8190]) {
      const text = `{"a":"${'x'.repeat(pad)}中😀é","b":"${'y'.repeat(5000)}中"}`;
      expect(JSON.parse(jsonText(bytes(text))!)).toEqual(JSON.parse(text));
    }
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(jsonText(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]))).toBeUndefined();
    expect(jsonText(new Uint8Array([0x22, 0xe4, 0xb8, 0x22]))).toBeUndefined();
  });

  it('leaves invalid JSON invalid: a character outside a string still fails to parse', () => {
    expect(() => JSON.parse(jsonText(bytes('{"a":1}中'))!)).toThrow();
  });

  it('reads a view into a larger buffer from its own offset', () => {
    const whole = Buffer.from('xx{"a":"中"}yy');
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 2, whole.length - 4);
    expect(JSON.parse(jsonText(view)!)).toEqual({ a: '中' });
  });
});
