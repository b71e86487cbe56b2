import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { ClusterNode } from '../cluster/cluster-node.service';
import { MaintenanceMetrics } from '../metrics/maintenance.metrics';
import { Lease, TaskLock } from './task-lock.service';
import type { MaintenanceTask, TaskOutcome, TaskRun, TaskRunListener } from './task-run';

interface Running {
  controller: AbortController;
  done: Promise<TaskRun>;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs maintenance tasks by name, each on one node at a time across the nodes sharing the
 * database (TaskLock) and never twice at once in this process. A run never throws: the
 * scheduler calling it learns nothing it could act on, so failures are logged, recorded on
 * the task's lease and handed to the listeners like every other outcome.
 */
@Injectable()
export class TaskRunner implements BeforeApplicationShutdown {
  private readonly logger = new Logger(TaskRunner.name);
  private readonly running = new Map<string, Running>();
  private readonly listeners = new Set<TaskRunListener>();
  private closing = false;

  constructor(
    private readonly lock: TaskLock,
    private readonly node: ClusterNode,
    private readonly metrics: MaintenanceMetrics,
  ) {}

  /** Calls `listener` with every run's outcome (ran, skipped or failed); returns its removal. */
  onRun(listener: TaskRunListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs `task` as `name` unless it runs here already or another node holds it. */
  run(name: string, task: MaintenanceTask): Promise<TaskRun> {
    const startedAt = new Date();
    if (this.closing) return Promise.resolve(this.report(this.ended(name, startedAt, 'skipped', { reason: 'this node is shutting down' })));
    if (this.running.has(name)) {
      return Promise.resolve(this.report(this.ended(name, startedAt, 'skipped', { reason: 'it is still running on this node', heldBy: this.node.id })));
    }
    const controller = new AbortController();
    const done = this.runLocked(name, task, startedAt, controller).finally(() => this.running.delete(name));
    this.running.set(name, { controller, done });
    return done;
  }

  /** Stops the runs in flight at their next safe point and waits for them to release their tasks. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    const running = [...this.running.values()];
    for (const { controller } of running) controller.abort(new Error('stopped: this node is shutting down'));
    await Promise.all(running.map(({ done }) => done));
  }

  private async runLocked(name: string, task: MaintenanceTask, startedAt: Date, controller: AbortController): Promise<TaskRun> {
    let lease: Lease;
    try {
      const acquired = await this.lock.acquire(name, startedAt);
      if (!('lease' in acquired)) {
        const until = acquired.until ? ` until ${acquired.until.toISOString()}` : '';
        return this.report(this.ended(name, startedAt, 'skipped', { reason: `node ${acquired.heldBy} holds it${until}`, heldBy: acquired.heldBy }));
      }
      lease = acquired.lease;
    } catch (error) {
      return this.report(this.ended(name, startedAt, 'failed', { reason: `could not take it: ${message(error)}` }));
    }

    const renewal = this.keepRenewed(lease, controller);
    let run: TaskRun;
    try {
      const count = await task({ signal: controller.signal });
      // A task may finish its pass after it was told to stop; what it did then is not a whole run.
      controller.signal.throwIfAborted();
      run = this.ended(name, startedAt, 'ran', { count });
    } catch (error) {
      run = this.ended(name, startedAt, 'failed', { reason: message(controller.signal.aborted ? controller.signal.reason : error) });
    } finally {
      clearInterval(renewal);
    }
    try {
      await this.lock.release(lease, { endedAt: run.endedAt, outcome: run.outcome === 'ran' ? 'ran' : 'failed', count: run.count, reason: run.reason });
    } catch (error) {
      // The hold then lapses by itself after MAINTENANCE_LEASE_MS.
      this.logger.warn(`Maintenance task ${name}: could not release it: ${message(error)}`);
    }
    return this.report(run);
  }

  /** Renews the hold a few times per lease period; aborts the task once the hold is lost. */
  private keepRenewed(lease: Lease, controller: AbortController): NodeJS.Timeout {
    let current: Lease | null = lease;
    let renewing = false;
    const timer = setInterval(() => {
      if (renewing || !current || controller.signal.aborted) return;
      renewing = true;
      this.lock
        .renew(current)
        .then(
          (renewed) => {
            current = renewed;
            if (!renewed) controller.abort(new Error('lost its hold on the task: it lapsed, or another node took it'));
          },
          (error: unknown) => {
            // A renewal that failed is tried again; the hold is lost only once it lapsed.
            this.logger.warn(`Maintenance task ${lease.task}: could not renew its hold: ${message(error)}`);
            if (current && new Date() >= current.until) {
              current = null;
              controller.abort(new Error('lost its hold on the task: the database did not answer before it lapsed'));
            }
          },
        )
        .finally(() => (renewing = false));
    }, Math.max(100, Math.floor(this.lock.ttlMs / 3)));
    timer.unref();
    return timer;
  }

  /** A run of `task` on this node, ending now. */
  private ended(task: string, startedAt: Date, outcome: TaskOutcome, details: Pick<TaskRun, 'count' | 'reason' | 'heldBy'>): TaskRun {
    return { task, node: this.node.id, outcome, startedAt, endedAt: new Date(), ...details };
  }

  private report(run: TaskRun): TaskRun {
    this.metrics.ran(run.task, run.outcome, run.endedAt);
    // A run cut short by shutdown is expected; any other failure is an operator's to look at.
    if (run.outcome === 'failed' && this.closing) this.logger.warn(`Maintenance task ${run.task} stopped on node ${run.node}: ${run.reason}`);
    else if (run.outcome === 'failed') this.logger.error(`Maintenance task ${run.task} failed on node ${run.node}: ${run.reason}`);
    else if (run.outcome === 'skipped') this.logger.debug(`Maintenance task ${run.task} skipped: ${run.reason}`);
    else this.logger.debug(`Maintenance task ${run.task} ran in ${run.endedAt.getTime() - run.startedAt.getTime()} ms (count ${run.count})`);
    for (const listener of this.listeners) {
      try {
        listener(run);
      } catch (error) {
        this.logger.warn(`A maintenance listener failed: ${message(error)}`);
      }
    }
    return run;
  }
}
