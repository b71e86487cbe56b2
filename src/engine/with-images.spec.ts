import { ProviderError } from '../common/errors';
import type { ImageOutcome } from './made-image';
import { withImages } from './with-images';

const made = (image: string): ImageOutcome => ({ ok: true, image: { image, parameters: { prompt: image }, instance: 'http://sd', seed: 1, info: {}, durationMs: 1 } });
const failed = (error: Error): ImageOutcome => ({ ok: false, error });

describe('withImages', () => {
  it('builds the items whose images were all made, in order, leaving the others out', () => {
    const scenes = [made('s0'), failed(new Error('stalled')), made('s2'), made('s3')];
    const products = [made('p0'), made('p1'), failed(new Error('refused')), made('p3')];
    const items = withImages([scenes, products], ([scene, product], index) => `${index}:${scene.image}+${product.image}`);
    expect(items).toEqual(['0:s0+p0', '3:s3+p3']);
  });

  it('stops at the shortest list of outcomes', () => {
    expect(withImages([[made('a'), made('b')], [made('c')]], (images) => images.length)).toEqual([2]);
  });

  it('answers nothing when nothing was asked', () => {
    expect(withImages([[]], () => 'item')).toEqual([]);
    expect(withImages([], () => 'item')).toEqual([]);
  });

  it('fails with the first provider error when no item could be made', () => {
    const first = new ProviderError('Image step "images" did not finish within the deadline', 'sd', 504, { step: 'images' });
    expect(() => withImages([[failed(first), failed(new Error('later'))]], () => 'item')).toThrow(first);
  });

  it('wraps any other first reason in a provider error naming it', () => {
    let error: unknown;
    try {
      withImages([[failed(new Error('connection refused'))]], () => 'item');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ provider: 'sd', status: 502, message: 'No image could be made: connection refused' });
  });
});
