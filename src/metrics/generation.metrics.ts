import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface GenerationSummary {
  app: string;
  appId: number;
  type: number;
  pipeline: string;
  /** succeeded, partly-succeeded, failed or cancelled. */
  status: string;
  durationMs: number;
  imagesMade: number;
  imagesFailed: number;
  tokens: { prompt: number; completion: number; total: number };
}

type Labels = 'app' | 'type' | 'status';

/** Generations by app, type and how they ended, how long they took, and how many run now. */
@Injectable()
export class GenerationMetrics {
  private readonly duration: Histogram<Labels>;
  private readonly ended: Counter<Labels>;
  private readonly images: Counter<'app' | 'type' | 'outcome'>;
  private readonly running: Gauge<'app' | 'type'>;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'inspilot_generation_duration_seconds',
      help: 'Generations from the start of their steps to their end, by app, type and status.',
      labelNames: ['app', 'type', 'status'],
      buckets: [0.5, 1, 2.5, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300],
      registers: [registry],
    });
    this.ended = new Counter({
      name: 'inspilot_generations_total',
      help: 'Generations ended, by app, type and status (succeeded, partly-succeeded, failed, cancelled).',
      labelNames: ['app', 'type', 'status'],
      registers: [registry],
    });
    this.images = new Counter({
      name: 'inspilot_generation_images_total',
      help: 'Images of generations: made, or failed (left out of the answer), by app and type.',
      labelNames: ['app', 'type', 'outcome'],
      registers: [registry],
    });
    this.running = new Gauge({
      name: 'inspilot_generations_running',
      help: 'Generations running in this process now, by app and type.',
      labelNames: ['app', 'type'],
      registers: [registry],
    });
  }

  /** A generation began; the returned function is called once when it ends. */
  started(app: string, type: number): (summary: GenerationSummary) => void {
    const labels = { app, type: String(type) };
    this.running.inc(labels);
    return (summary) => {
      this.running.dec(labels);
      const ended = { ...labels, status: summary.status };
      this.duration.observe(ended, summary.durationMs / 1000);
      this.ended.inc(ended);
      if (summary.imagesMade) this.images.inc({ ...labels, outcome: 'made' }, summary.imagesMade);
      if (summary.imagesFailed) this.images.inc({ ...labels, outcome: 'failed' }, summary.imagesFailed);
    };
  }
}
