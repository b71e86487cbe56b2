import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

/** Requests refused by the rate limits, by limit group. */
@Injectable()
export class RateLimitMetrics {
  private readonly refusals: Counter<'group'>;

  constructor(registry: Registry) {
    this.refusals = new Counter({
      name: 'inspilot_rate_limit_refusals_total',
      help: 'Requests answered 429 by the rate limits, by group (generate: RATE_LIMIT_GENERATE; default: RATE_LIMIT).',
      labelNames: ['group'],
      registers: [registry],
    });
  }

  refused(group: string): void {
    this.refusals.inc({ group });
  }
}
