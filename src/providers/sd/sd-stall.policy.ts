import type { SdConfig } from '../../config/sd.config';

/** How many of the latest image times count as "recent". */
export const RECENT_IMAGES = 20;

/** The latest image times of an instance (or of the pool), enough to know what is normal. */
export class RecentDurations {
  private readonly values: number[] = [];

  constructor(private readonly size = RECENT_IMAGES) {}

  add(durationMs: number): void {
    this.values.push(durationMs);
    if (this.values.length > this.size) this.values.shift();
  }

  /** Nearest-rank 95th percentile, so a single outlier among 20 does not set the limit; null without history. */
  p95(): number | null {
    if (this.values.length === 0) return null;
    const sorted = [...this.values].sort((a, b) => a - b);
    return sorted[Math.ceil(0.95 * sorted.length) - 1];
  }
}

/**
 * How long a job may run before it counts as stalled: `factor` times the instance's recent p95,
 * or the pool's while the instance has no history, kept within [floor, ceiling]; the ceiling
 * when nothing has been measured yet.
 */
export function stallThresholdMs(instanceP95: number | null, poolP95: number | null, stall: SdConfig['stall']): number {
  const p95 = instanceP95 ?? poolP95;
  if (p95 === null) return stall.ceilingMs;
  return Math.min(stall.ceilingMs, Math.max(stall.floorMs, Math.round(stall.factor * p95)));
}

/**
 * Longest a progress check, an interrupt or a probe image may take: they are tiny, so they must
 * answer well before any real job would count as stalled.
 */
export function controlTimeoutMs(config: Pick<SdConfig, 'timeoutMs' | 'stall'>): number {
  return Math.min(config.stall.floorMs, config.timeoutMs);
}
