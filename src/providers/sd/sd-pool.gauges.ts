import { Injectable, Logger } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { SD_INSTANCE_STATES } from './sd-status.dto';
import type { SdPoolStatusDto } from './sd-status.dto';
import { SdPoolService } from './sd-pool.service';

type Fill = (gauge: Gauge<string>, status: SdPoolStatusDto) => void;

/**
 * The pool's gauges, read at each scrape from what /sd/status shows: this process's pool, or,
 * with several nodes, the shared state in Redis, so every node reports the same pool-wide values.
 */
@Injectable()
export class SdPoolGauges {
  private readonly logger = new Logger(SdPoolGauges.name);
  /** The reading under way: a scrape collects every gauge at once, so they share one reading of the pool. */
  private reading?: Promise<SdPoolStatusDto | undefined>;

  constructor(registry: Registry, private readonly pool: SdPoolService) {
    const gauge = (name: string, help: string, labelNames: string[], fill: Fill) => this.gauge(registry, name, help, labelNames, fill);
    gauge('inspilot_sd_queue_depth', 'Images waiting for a free healthy WebUI slot, pool-wide.', [], (g, status) => g.set(status.queued));
    gauge('inspilot_sd_jobs_running', 'Images running on the WebUI instances now (probe images included), pool-wide.', [], (g, status) =>
      g.set(status.instances.reduce((sum, instance) => sum + instance.running, 0)),
    );
    gauge('inspilot_sd_instance_healthy', 'Whether each WebUI instance takes new images (1) or is set aside (0).', ['sd_instance'], (g, status) => {
      for (const instance of status.instances) g.set({ sd_instance: instance.name }, instance.healthy ? 1 : 0);
    });
    gauge(
      'inspilot_sd_instance_state',
      'The state of each WebUI instance: 1 for its current state (idle, busy, stalled, failing, probing), 0 for the others.',
      ['sd_instance', 'state'],
      (g, status) => {
        for (const instance of status.instances) {
          for (const state of SD_INSTANCE_STATES) g.set({ sd_instance: instance.name, state }, instance.state === state ? 1 : 0);
        }
      },
    );
  }

  private gauge(
    registry: Registry,
    name: string,
    help: string,
    labelNames: string[],
    fill: Fill,
  ): Gauge<string> {
    const read = () => this.read();
    return new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const status = await read();
        this.reset();
        if (status) fill(this, status);
        // No reading (Redis down): unknown, rather than a stale or made-up value; a gauge without labels always has a sample.
        else if (labelNames.length === 0) this.set(NaN);
      },
    });
  }

  private read(): Promise<SdPoolStatusDto | undefined> {
    this.reading ??= this.pool
      .status()
      .catch((error: Error) => {
        this.logger.warn(`Pool gauges not read: ${error.message}`);
        return undefined;
      })
      .finally(() => (this.reading = undefined));
    return this.reading;
  }
}
