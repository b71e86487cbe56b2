import { createHash } from 'node:crypto';
import { externalize, internalize, referencedBlobs, Scheme } from './scheme-codec';

const idFor = (content: Buffer) => `owner:${createHash('sha256').update(content).digest('hex')}`;

/** The store a caller would fill from externalize's blobs. */
const asContents = (blobs: Map<string, Buffer>) => new Map([...blobs].map(([id, content]) => [id, content.toString('utf8')]));

function scheme(overrides: Scheme = {}): Scheme {
  return {
    name: '方案1',
    paths: [{ drawMode: true, strokeColor: '#000', strokeWidth: 4, paths: [{ x: 1, y: 2 }], startTimestamp: 1 }],
    texts: [{ text: '可折叠', position: { x: 3, y: 4 } }],
    canvasImage: 'data:image/png;base64,AAAA',
    canvasSvg: '<svg xmlns="http://www.w3.org/2000/svg"/>',
    ...overrides,
  };
}

describe('scheme codec', () => {
  it('externalize then internalize gives back the original schemes, key order included', () => {
    const original = [
      scheme({ extra: { nested: [1, 'a'] } }),
      // Large fields first and last, an unknown field between: order must survive.
      { canvasSvg: '<svg/>', name: '方案2', note: null, paths: [], texts: [], canvasImage: 'data:image/jpeg;base64,BBBB' },
      { name: '方案3', paths: [], texts: [] },
    ];
    const snapshot = JSON.stringify(original);

    const { stored, blobs } = externalize(original, idFor);
    const restored = internalize(stored, asContents(blobs));

    expect(restored).toEqual(original);
    expect(restored.map((s) => Object.keys(s))).toEqual(original.map((s) => Object.keys(s)));
    expect(JSON.stringify(restored)).toBe(snapshot);
    // The input is not modified.
    expect(JSON.stringify(original)).toBe(snapshot);
  });

  it('replaces each large string in place by a reference and keeps everything else', () => {
    const original = scheme({ clientId: 'x1' });
    const { stored, blobs } = externalize([original], idFor);

    expect(Object.keys(stored[0])).toEqual(Object.keys(original));
    expect(stored[0]).toEqual({
      ...original,
      canvasImage: { blobId: idFor(Buffer.from(original.canvasImage as string)) },
      canvasSvg: { blobId: idFor(Buffer.from(original.canvasSvg as string)) },
    });
    expect(JSON.stringify(stored)).not.toContain('base64');
    expect([...blobs.values()].map((b) => b.toString('utf8')).sort()).toEqual(
      [original.canvasImage as string, original.canvasSvg as string].sort(),
    );
  });

  it('leaves fields that are absent or not strings alone', () => {
    const schemes = [{ name: 'a', paths: [], texts: [] }, { name: 'b', canvasImage: null, canvasSvg: undefined }];
    const { stored, blobs } = externalize(schemes, idFor);
    expect(stored).toEqual(schemes);
    expect(blobs.size).toBe(0);
    expect(referencedBlobs(stored)).toEqual([]);
    expect(internalize(stored, new Map())).toEqual(schemes);
  });

  it('gives identical contents one id and one blob, and different contents different ids', () => {
    const same = 'data:image/png;base64,SAME';
    const { stored, blobs } = externalize(
      [scheme({ canvasImage: same, canvasSvg: same }), scheme({ name: '2', canvasImage: same }), scheme({ name: '3', canvasImage: 'data:image/png;base64,OTHER' })],
      idFor,
    );
    const ids = stored.map((s) => (s.canvasImage as { blobId: string }).blobId);
    expect(ids[0]).toBe(ids[1]);
    expect((stored[0].canvasSvg as { blobId: string }).blobId).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
    // same image, the default SVG shared by the last two, and the other image.
    expect(blobs.size).toBe(3);
    expect(blobs.get(ids[0])!.toString('utf8')).toBe(same);
  });

  it('referencedBlobs lists every reference of the stored schemes', () => {
    const { stored, blobs } = externalize([scheme(), scheme({ name: '2', canvasImage: 'data:image/png;base64,ZZZZ' }), { name: '3' }], idFor);
    const referenced = referencedBlobs(stored);
    expect(new Set(referenced)).toEqual(new Set(blobs.keys()));
    expect(referenced).toHaveLength(4);
    // A scheme as the front end sent it (strings, not references) refers to nothing.
    expect(referencedBlobs([scheme()])).toEqual([]);
  });

  it('internalize refuses a reference whose content is missing', () => {
    const { stored } = externalize([scheme()], idFor);
    expect(() => internalize(stored, new Map())).toThrow(/missing/);
  });

  it('keeps non-ASCII text exact', () => {
    const svg = '<svg><text>设计一款运动辅助产品 ✓ 😀</text></svg>';
    const { stored, blobs } = externalize([scheme({ canvasSvg: svg })], idFor);
    expect(internalize(stored, asContents(blobs))[0].canvasSvg).toBe(svg);
  });
});
