/**
 * The timing of leases, heartbeats and the queue's own locks, derived from the configured
 * time-to-live so that a live holder always renews well before its key could expire.
 */

/** Renewed three times per TTL: two renewals may be missed (a busy event loop, a slow Redis) before it lapses. */
export function renewEveryMs(ttlMs: number): number {
  return Math.max(100, Math.floor(ttlMs / 3));
}

/**
 * A slot held by a node that died is free again at most `ttlMs` after that node's last renewal,
 * and at least `ttlMs - renewEveryMs(ttlMs)` after the node died.
 */
export function leaseFreeWindowMs(ttlMs: number): { earliest: number; latest: number } {
  return { earliest: ttlMs - renewEveryMs(ttlMs), latest: ttlMs };
}

/** How often a node looks for instances due for a probe: often enough for the shortest of the two delays. */
export function probeTickMs(probeIntervalMs: number, retryBackoffMs: number): number {
  const shortest = Math.min(probeIntervalMs, retryBackoffMs > 0 ? retryBackoffMs : probeIntervalMs);
  return Math.min(1000, Math.max(50, Math.floor(shortest / 2)));
}

/** How long one probe may hold its lock: a progress check, a probe image and an interrupt, with room to spare. */
export function probeLockMs(controlTimeoutMs: number): number {
  return 3 * controlTimeoutMs + 1000;
}
