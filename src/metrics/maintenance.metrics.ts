import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';

/** Scheduled maintenance on this node: each run's outcome, and when each task last ran here. */
@Injectable()
export class MaintenanceMetrics {
  private readonly runs: Counter<'task' | 'outcome'>;
  private readonly lastRan: Gauge<'task'>;

  constructor(registry: Registry) {
    this.runs = new Counter({
      name: 'inspilot_maintenance_runs_total',
      help: 'Scheduled maintenance runs on this node by task and outcome (ran, skipped: another node held it, failed).',
      labelNames: ['task', 'outcome'],
      registers: [registry],
    });
    this.lastRan = new Gauge({
      name: 'inspilot_maintenance_last_ran_timestamp_seconds',
      help: 'When each maintenance task last ran to its end on this node (Unix time); max over the nodes is the last run anywhere.',
      labelNames: ['task'],
      registers: [registry],
    });
  }

  ran(task: string, outcome: string, endedAt: Date): void {
    this.runs.inc({ task, outcome });
    if (outcome === 'ran') this.lastRan.set({ task }, endedAt.getTime() / 1000);
  }
}
