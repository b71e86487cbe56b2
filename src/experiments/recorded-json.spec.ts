import { MAX_RECORDED_INPUTS_BYTES, recordedInputs, recordedOutput, recordedText, recordedValue } from './recorded-json';

const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const PNG_2X2 = 'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAEklEQVR42mP8z8DwnwEJMCILAA0ZAQH0D4O7AAAAAElFTkSuQmCC';
const SVG = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>').toString('base64')}`;

describe('recordedInputs', () => {
  const idFor = (index: number) => `exp-input-${index}`;

  it('keeps every key and nesting exactly as parsed, and finds no sketch where there is none', () => {
    const sent = '{"a.b":1,"$where":"x","__proto__":{"polluted":true},"constructor":{"prototype":{}},"k\\u0000ey":[[1,[2,[3]]]],"n":null}';
    const result = recordedInputs(JSON.parse(sent), idFor);
    expect(result).toEqual({ text: sent, sketches: [] });
  });

  it('stores each proved image, wherever it is, as { imageId } in order, and leaves other data URLs as text', () => {
    const inputs = {
      designImage: `data:image/png;base64,${PNG_1X1}`,
      schemes: [{ designImage: `data:image/jpeg;base64,${PNG_2X2}` }, { designImage: SVG }],
      note: 'data:text/plain;base64,aGk=',
    };
    const result = recordedInputs(inputs, idFor);
    if ('problem' in result) throw new Error(result.problem);
    expect(JSON.parse(result.text)).toEqual({
      designImage: { imageId: 'exp-input-0' },
      schemes: [{ designImage: { imageId: 'exp-input-1' } }, { designImage: SVG }],
      note: 'data:text/plain;base64,aGk=',
    });
    // The second one declared JPEG; its bytes are a PNG, and it is stored as what they prove.
    expect(result.sketches.map((sketch) => [sketch.mime, sketch.width, sketch.base64])).toEqual([
      ['image/png', 1, PNG_1X1],
      ['image/png', 2, PNG_2X2],
    ]);
  });

  it('refuses inputs too large for a record once the images are set apart, saying how large', () => {
    const result = recordedInputs({ text: 'x'.repeat(MAX_RECORDED_INPUTS_BYTES) }, idFor);
    expect(result).toEqual({ problem: expect.stringMatching(/^prompts hold 8\.0 MB besides their images, over the 8 MB/) });
    const images = recordedInputs({ sketch: `data:image/png;base64,${PNG_1X1}`, text: 'x'.repeat(MAX_RECORDED_INPUTS_BYTES - 100) }, idFor);
    expect('problem' in images).toBe(false);
  });
});

describe('recordedOutput', () => {
  const ids = new Map([
    [PNG_1X1, 'exp-images-0'],
    [PNG_2X2, 'exp-images-1'],
  ]);

  it('replaces the images it knows at any depth, exact matches only, and nothing else', () => {
    const output = {
      count: 2,
      result: [{ items: [{ image: PNG_1X1, text: null }] }, { items: [{ combinations: [{ image: PNG_2X2 }, { text: '说明' }] }] }],
      near: [PNG_1X1.slice(0, 20), `${PNG_1X1} `, `data:image/png;base64,${PNG_1X1}`],
      flags: [true, false, 0],
    };
    expect(JSON.parse(recordedOutput(output, (text) => ids.get(text)))).toEqual({
      count: 2,
      result: [{ items: [{ image: { imageId: 'exp-images-0' }, text: null }] }, { items: [{ combinations: [{ image: { imageId: 'exp-images-1' } }, { text: '说明' }] }] }],
      near: output.near,
      flags: [true, false, 0],
    });
    // The answer itself is not changed.
    expect(output.result[0].items[0]).toEqual({ image: PNG_1X1, text: null });
  });
});

describe('recordedText and recordedValue', () => {
  it('read the JSON text records hold, and the objects older records hold', () => {
    const text = '{"__proto__":{"x":1},"a.b":[[1]]}';
    expect(recordedText(text)).toBe(text);
    expect(JSON.stringify(recordedValue(text))).toBe(text);
    expect(Object.getPrototypeOf(recordedValue(text))).toBe(Object.prototype);
    expect(recordedText({ task: 't', num: 1 })).toBe('{"task":"t","num":1}');
    expect(recordedValue({ task: 't' })).toEqual({ task: 't' });
  });
});
