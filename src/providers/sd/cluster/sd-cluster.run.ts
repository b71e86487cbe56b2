import type { Logger } from '@nestjs/common';
import type { AttemptFailure } from '../../../common/errors';
import type { SdConfig } from '../../../config/sd.config';
import type { SetAsideReason } from '../sd-instance.state';
import { controlTimeoutMs, RecentDurations, stallThresholdMs } from '../sd-stall.policy';
import type { SdWebUiClient, WebUiImage } from '../sd-webui.client';
import { WebUiError } from '../sd-webui.error';
import { tryOutcome } from '../sd-try-outcome';
import type { SdMetrics } from '../../../metrics/sd.metrics';
import type { SdRequest } from '../sd.types';
import type { SdSharedHealth, PoolInstance } from './sd-shared-health';
import type { Grant, SdSlotLeases } from './sd-slot-leases';
import type { WakeSignal } from './wake-signal';

/** How an image ended on the node that ran it; sent back to the node that asked for it. */
export type ImageOutcome =
  | { kind: 'image'; image: WebUiImage; instance: string; durationMs: number }
  | { kind: 'error'; message: string; status: number; details: { step: string; instance?: string; attempts: AttemptFailure[] } }
  | { kind: 'cancelled'; reason: string };

export interface RunContext {
  client: SdWebUiClient;
  leases: SdSlotLeases;
  health: SdSharedHealth;
  wake: WakeSignal;
  config: SdConfig;
  /** How long Redis may stay unreachable before the image is given up. */
  redisTimeoutMs: number;
  /** How often a waiting image looks for a slot when nothing wakes it. */
  pollMs: number;
  /** Whether a node is still running (its heartbeat lasts). */
  isAlive(nodeId: string): Promise<boolean>;
  logger: Logger;
  metrics: SdMetrics;
}

/** One try of the image on one instance. */
interface Attempt {
  instance: PoolInstance;
  lease: string;
  number: number;
  startedAt: number;
  controller: AbortController;
  stallTimer?: NodeJS.Timeout;
  reason?: string;
  failedAt?: string;
  stalled?: boolean;
  /** Settles once the instance was told to stop the try we gave up; its slot stays taken until then. */
  interrupted: Promise<void>;
}

/**
 * One image taken from the shared queue, from its first slot to its outcome: the same policy as
 * the in-process scheduler (SdJobScheduler), with slots, health and image times shared in Redis.
 * A failed try sets its instance aside for every node and the image takes the next free slot; a
 * stalled one is hedged on another instance, first answer winning; with no healthy instance it
 * waits up to SD_RECOVERY_WAIT_MS. Every request given up is aborted and its instance interrupted.
 */
export class ClusterImageRun {
  private tries = 0;
  private readonly running = new Set<Attempt>();
  private readonly failures: Attempt[] = [];
  private readonly avoid = new Set<string>();
  private waiter?: string;
  private waits = 0;
  private done = false;
  private settle!: (outcome: ImageOutcome) => void;
  readonly outcome = new Promise<ImageOutcome>((resolve) => (this.settle = resolve));

  constructor(
    private readonly context: RunContext,
    readonly jobId: string,
    /** Arrival order across nodes: the image's place in line for a slot. */
    private readonly seq: number,
    private readonly step: string,
    private readonly payload: SdRequest,
    /** The node that asked for it. */
    readonly forNode: string,
  ) {}

  start(): void {
    void this.next();
  }

  /** Gives the image up (its generation cancelled it, or its node is gone). */
  cancel(reason: string): void {
    this.finish({ kind: 'cancelled', reason });
  }

  /** Waits in line for a slot, then tries the image there. */
  private async next(): Promise<void> {
    const waiter = `${this.jobId}#${++this.waits}`;
    this.waiter = waiter;
    let grant: Grant | undefined;
    try {
      grant = await this.acquire(waiter);
    } finally {
      this.waiter = undefined;
    }
    if (!grant) {
      await this.context.leases.leave(waiter).catch(() => undefined);
      return;
    }
    // The node may have died while the image waited in line: a slot is not spent on nobody.
    const url = this.context.health.instances[grant.index].url;
    const [alive, history] = await Promise.all([
      this.done || this.context.isAlive(this.forNode).catch(() => true),
      this.context.health.history(url).catch(() => undefined),
    ]);
    if (!alive) this.cancel(`node ${this.forNode} that asked for it is gone`);
    if (this.done) {
      await this.context.leases.release(grant.key).catch(() => undefined);
      return;
    }
    await this.startAttempt(grant, history);
  }

  private async acquire(waiter: string): Promise<Grant | undefined> {
    const { leases, config, wake } = this.context;
    let unhealthySince: number | undefined;
    let unreachableSince: number | undefined;
    while (!this.done) {
      const seen = wake.seen;
      try {
        const answer = await leases.acquire(waiter, this.seq, leases.token(this.jobId), this.avoid);
        unreachableSince = undefined;
        if (answer.granted) return answer.grant;
        if (answer.healthy > 0) unhealthySince = undefined;
        else if ((unhealthySince ??= Date.now()) + config.recoveryWaitMs <= Date.now()) {
          const states = await this.context.health.states().catch(() => 'states unknown');
          this.finish(
            this.error(`No Stable Diffusion instance is healthy for step "${this.step}" after waiting ${config.recoveryWaitMs} ms: ${states}.`, 503),
          );
          return undefined;
        }
      } catch (error) {
        if ((unreachableSince ??= Date.now()) + this.context.redisTimeoutMs <= Date.now()) {
          this.finish(this.error(`Stable Diffusion step "${this.step}" lost the pool's Redis: ${(error as Error).message}`, 503));
          return undefined;
        }
      }
      await wake.wait(this.context.pollMs, seen);
    }
    return undefined;
  }

  private async startAttempt(grant: Grant, history?: { instance: RecentDurations; pool: RecentDurations }): Promise<void> {
    const { client, config, health } = this.context;
    const instance = health.instances[grant.index];
    this.tries += 1;
    const attempt: Attempt = {
      instance,
      lease: grant.key,
      number: this.tries,
      startedAt: Date.now(),
      controller: new AbortController(),
      interrupted: Promise.resolve(),
    };
    this.running.add(attempt);
    const limitMs = stallThresholdMs(history?.instance.p95() ?? null, history?.pool.p95() ?? null, config.stall);
    if (!this.done) {
      attempt.stallTimer = setTimeout(() => this.stalled(attempt, limitMs), limitMs);
      attempt.stallTimer.unref();
    } else {
      attempt.controller.abort();
    }
    const outcome = await client
      .txt2img(instance.url, this.payload, { timeoutMs: config.timeoutMs, signal: attempt.controller.signal })
      .catch(async (error: WebUiError) => {
        // Our timeout does not stop the GPU.
        if (error.timedOut) this.interrupt(attempt);
        await attempt.interrupted;
        return error;
      });
    this.context.metrics.tried(instance.name, tryOutcome(attempt, outcome), Date.now() - attempt.startedAt);
    // The slot is free before the outcome is handled, and given to the next image after.
    await this.context.leases.release(attempt.lease).catch(() => undefined);
    // This node's own waiters need not wait for the release to come back through Redis.
    this.context.wake.notify();
    if (outcome instanceof WebUiError) await this.failed(attempt, outcome);
    else await this.succeeded(attempt, outcome);
  }

  private async succeeded(attempt: Attempt, image: WebUiImage): Promise<void> {
    this.settleAttempt(attempt);
    // An answer that raced our abort is not wanted any more.
    if (this.done) return;
    const durationMs = Date.now() - attempt.startedAt;
    this.finish({ kind: 'image', image, instance: attempt.instance.url, durationMs });
    await this.context.health.succeeded(attempt.instance.url, durationMs).catch(() => undefined);
  }

  private async failed(attempt: Attempt, error: WebUiError): Promise<void> {
    this.settleAttempt(attempt);
    // Given up by us (cancelled, or another try won): the instance did nothing wrong.
    if (attempt.controller.signal.aborted) return;
    const { instance } = attempt;
    await this.noteFailure(attempt, error.message);
    if (!error.instanceFault) {
      await this.context.health.noteError(instance.url, error.message).catch(() => undefined);
      return this.finish(
        this.error(`Stable Diffusion step "${this.step}" was refused by ${instance.name}: ${error.message}`, 502, instance.url),
      );
    }
    await this.setAside(instance, error.timedOut ? 'stalled' : 'failing', error.message);
    this.avoid.add(instance.url);
    this.carryOn();
  }

  /** Running far past its instance's normal time: the instance is set aside and the image hedged elsewhere. */
  private stalled(attempt: Attempt, limitMs: number): void {
    if (this.done) return;
    attempt.stalled = true;
    void (async () => {
      await this.noteFailure(attempt, `stalled: no image after ${limitMs} ms`);
      await this.setAside(attempt.instance, 'stalled', attempt.reason!);
      this.avoid.add(attempt.instance.url);
      this.carryOn();
    })();
  }

  /** A failed or stalled try is recorded once (counting once against its instance); a stall that then fails says both. */
  private async noteFailure(attempt: Attempt, reason: string): Promise<void> {
    attempt.failedAt = new Date().toISOString();
    if (attempt.reason !== undefined) {
      attempt.reason += `, then ${reason}`;
      return;
    }
    attempt.reason = reason;
    this.failures.push(attempt);
    await this.context.health.failedOnce(attempt.instance.url).catch(() => undefined);
  }

  private settleAttempt(attempt: Attempt): void {
    clearTimeout(attempt.stallTimer);
    this.running.delete(attempt);
  }

  /** After a try failed or stalled: another try if the budget allows, else wait for the ones running, else fail. */
  private carryOn(): void {
    if (this.done || this.waiter !== undefined) return;
    if (this.tries < this.context.config.maxAttempts) {
      void this.next();
    } else if (this.running.size === 0) {
      const failures = this.failures.map((attempt) => `${attempt.instance.name}: ${attempt.reason}`).join('; ');
      this.finish(
        this.error(`Stable Diffusion step "${this.step}" failed on ${this.tries} ${this.tries === 1 ? 'try' : 'tries'}: ${failures}`, 502),
      );
    }
  }

  private async setAside(instance: PoolInstance, reason: SetAsideReason, error: string): Promise<void> {
    const wasHealthy = await this.context.health.setAside(instance.url, reason, error).catch(() => false);
    if (wasHealthy) this.context.logger.warn(`Stable Diffusion instance ${instance.name} (${instance.url}) set aside, ${reason}: ${error}`);
  }

  /** Ends the image once: its other tries aborted, its place in line given up. */
  private finish(outcome: ImageOutcome): void {
    if (this.done) return;
    this.done = true;
    for (const attempt of this.running) this.abort(attempt);
    if (this.waiter) void this.context.leases.leave(this.waiter).catch(() => undefined);
    this.settle(outcome);
  }

  private abort(attempt: Attempt): void {
    clearTimeout(attempt.stallTimer);
    attempt.controller.abort();
    this.interrupt(attempt);
  }

  /** An interrupt stops whatever the instance is working on: only sent when that can only be this image. */
  private interrupt(attempt: Attempt): void {
    const { client, leases, config } = this.context;
    attempt.interrupted = (async () => {
      if ((await leases.running(attempt.instance.url).catch(() => 0)) !== 1) return;
      await client.interrupt(attempt.instance.url, { timeoutMs: controlTimeoutMs(config) }).catch(() => undefined);
    })();
  }

  private error(message: string, status: number, instance?: string): ImageOutcome {
    return { kind: 'error', message, status, details: { step: this.step, instance, attempts: this.attempts() } };
  }

  /** The tries that did not make the image, as the experiment record keeps them. */
  private attempts(): AttemptFailure[] {
    return this.failures.map((attempt) => ({
      attempt: attempt.number,
      reason: `${attempt.instance.name} ${attempt.instance.url}: ${attempt.reason}`,
      at: attempt.failedAt!,
    }));
  }
}
