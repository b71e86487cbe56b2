import { BlobCache } from './blob-cache';

const bytes = (length: number, fill = 1) => Buffer.alloc(length, fill);

describe('BlobCache', () => {
  it('gives back what was stored, as a copy of it', () => {
    const cache = new BlobCache(1000);
    const content = bytes(10, 7);
    cache.set('a', content);
    content.fill(0);
    expect(cache.get('a')).toEqual(bytes(10, 7));
    expect(cache.get('b')).toBeUndefined();
  });

  it('drops the least recently used entries beyond its size', () => {
    const cache = new BlobCache(1000);
    cache.set('a', bytes(200));
    cache.set('b', bytes(200));
    cache.set('c', bytes(200));
    cache.set('d', bytes(200));
    cache.get('a');
    cache.set('e', bytes(250));
    // b goes: a was used since it was stored.
    expect(cache.get('b')).toBeUndefined();
    cache.set('f', bytes(250));
    // Then c, the least recently used of c, d, a, e.
    expect(cache.get('c')).toBeUndefined();
    expect(['a', 'd', 'e', 'f'].every((id) => cache.get(id) !== undefined)).toBe(true);
  });

  it('does not keep an entry larger than a quarter of its size, nor anything when its size is 0', () => {
    const cache = new BlobCache(1000);
    cache.set('small', bytes(250));
    cache.set('large', bytes(251));
    expect(cache.get('small')).toBeDefined();
    expect(cache.get('large')).toBeUndefined();
    const none = new BlobCache(0);
    none.set('a', bytes(1));
    expect(none.get('a')).toBeUndefined();
  });
});
