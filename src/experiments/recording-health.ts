import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { RecordMetrics } from '../metrics/record.metrics';

/** Counts failed record writes, so a researcher can see on /health (and an operator on /metrics) that data went missing. */
@Injectable()
export class RecordingHealth {
  private readonly logger = new Logger('ExperimentRecording');
  private errors = 0;
  private lastError: string | null = null;

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly metrics: RecordMetrics,
  ) {}

  failed(what: string, error: unknown): void {
    this.errors += 1;
    this.metrics.writeFailed();
    this.lastError = `${what}: ${error instanceof Error ? error.message : String(error)}`;
    this.logger.error(`Recording failed (${this.errors} so far): ${this.lastError}`);
  }

  /** Always up: a lost record is reported, but the service still serves participants. */
  check() {
    return this.indicators.check('recording').up({ errors: this.errors, lastError: this.lastError });
  }
}
