import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ClusterNode } from '../cluster/cluster-node.service';
import { maintenanceConfig } from '../config/maintenance.config';
import { ExperimentsService } from '../experiments/experiments.service';
import type { TaskRun } from './task-run';
import { TaskRunner } from './task-runner.service';

export const GONE_NODES_TASK = 'gone-nodes';

/**
 * With several nodes (REDIS_URL), every GONE_NODES_SWEEP_MS one of them marks the records left
 * queued or running by nodes that are gone interrupted. Alone, a process marks those of
 * earlier processes at its start (ExperimentsService) and nothing is scheduled.
 */
@Injectable()
export class GoneNodesSchedule implements OnApplicationBootstrap {
  private readonly logger = new Logger(GoneNodesSchedule.name);

  constructor(
    private readonly runner: TaskRunner,
    private readonly experiments: ExperimentsService,
    private readonly node: ClusterNode,
    private readonly registry: SchedulerRegistry,
    @Inject(maintenanceConfig.KEY) private readonly config: ConfigType<typeof maintenanceConfig>,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.node.clustered) return;
    const timer = setInterval(() => void this.run(), this.config.goneNodesSweepMs);
    timer.unref();
    // The registry clears it at shutdown, with every other schedule.
    this.registry.addInterval(GONE_NODES_TASK, timer);
  }

  run(): Promise<TaskRun> {
    return this.runner.run(GONE_NODES_TASK, () => this.sweep());
  }

  private async sweep(): Promise<number> {
    const count = await this.experiments.markGoneNodesInterrupted();
    if (count) this.logger.warn(`Marked ${count} experiment(s) left queued or running by nodes that are gone as interrupted`);
    return count;
  }
}
