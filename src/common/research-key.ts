import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether `given` is the configured research key; comparing digests keeps it constant-time whatever the lengths. */
export function researchKeyMatches(given: string | undefined, configured: string | undefined): boolean {
  if (!given || !configured) return false;
  return timingSafeEqual(digest(given), digest(configured));
}
