import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { maintenanceConfig } from '../config/maintenance.config';
import { ImageRetentionService } from '../experiments/image-retention.service';
import type { TaskRun } from './task-run';
import { TaskRunner } from './task-runner.service';

export const IMAGE_RETENTION_TASK = 'image-retention';

/**
 * With EXPERIMENT_IMAGE_RETENTION_DAYS above 0, deletes the old experiment images at start-up
 * and on IMAGE_RETENTION_CRON, on one node at a time.
 */
@Injectable()
export class ImageRetentionSchedule implements OnApplicationBootstrap {
  constructor(
    private readonly runner: TaskRunner,
    private readonly retention: ImageRetentionService,
    private readonly registry: SchedulerRegistry,
    @Inject(maintenanceConfig.KEY) private readonly config: ConfigType<typeof maintenanceConfig>,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.retention.enabled) return;
    const job = CronJob.from({ name: IMAGE_RETENTION_TASK, cronTime: this.config.imageRetentionCron, onTick: () => void this.run(), start: false, unrefTimeout: true });
    // The registry stops it at shutdown, with every other schedule.
    this.registry.addCronJob(IMAGE_RETENTION_TASK, job);
    job.start();
    // Images past their age since the last run (or the last node stopped) go now, not at the next tick.
    void this.run();
  }

  run(): Promise<TaskRun> {
    return this.runner.run(IMAGE_RETENTION_TASK, ({ signal }) => this.retention.sweep(new Date(), signal));
  }
}
