import { createHash } from 'node:crypto';

/**
 * Deterministic helpers. The simulators must give the same answer to the same
 * request so that tests and benchmark runs are reproducible; everything that
 * looks "random" in an answer is derived from these.
 */

/** 32-bit unsigned hash of any number of parts (native SHA-1: fast on multi-MB base64 strings). */
export function hash32(...parts: Array<string | number>): number {
  const h = createHash('sha1');
  for (const p of parts) h.update(String(p)).update('\u0000');
  return h.digest().readUInt32BE(0);
}

/** Small seeded PRNG (mulberry32); returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A copy of `items` in an order fixed by `seed` (Fisher–Yates driven by the seeded PRNG). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = items.slice();
  const rnd = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** One element of `items`, chosen by hashing `parts`. */
export function pick<T>(items: readonly T[], ...parts: Array<string | number>): T {
  return items[hash32(...parts) % items.length];
}
