import { Injectable } from '@nestjs/common';
import { Histogram, Registry } from 'prom-client';

/**
 * How one try of an image on one instance ended: ok (an image), failed (an error from the
 * instance), stalled (set aside as stalled, then ended without an image), cancelled (given up by
 * us: its generation ended, or a hedged try elsewhere answered first).
 */
export type SdTryOutcome = 'ok' | 'failed' | 'stalled' | 'cancelled';

/** Image tries by WebUI instance: how long and how they ended. */
@Injectable()
export class SdMetrics {
  private readonly duration: Histogram<'sd_instance' | 'outcome'>;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'inspilot_sd_image_duration_seconds',
      help: 'Image tries on each WebUI instance (sd-1, sd-2, … in SD_ENDPOINTS order) by outcome (ok, failed, stalled, cancelled).',
      labelNames: ['sd_instance', 'outcome'],
      buckets: [0.5, 1, 2, 4, 6, 8, 10, 15, 20, 30, 45, 60, 120],
      registers: [registry],
    });
  }

  tried(instance: string, outcome: SdTryOutcome, durationMs: number): void {
    this.duration.observe({ sd_instance: instance, outcome }, durationMs / 1000);
  }
}
