import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

/** Experiment-record writes that failed for good (the data of that write is missing from the record). */
@Injectable()
export class RecordMetrics {
  private readonly failures: Counter;

  constructor(registry: Registry) {
    this.failures = new Counter({
      name: 'inspilot_record_write_failures_total',
      help: 'Experiment-record writes that failed for good (after their retries); /health names the last one.',
      registers: [registry],
    });
  }

  writeFailed(): void {
    this.failures.inc();
  }
}
