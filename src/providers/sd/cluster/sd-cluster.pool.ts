import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Job, Queue, QueueEvents, Worker, type RedisOptions as QueueRedisOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { ClusterNode } from '../../../cluster/cluster-node.service';
import { connectionOptions, whenReady } from '../../../cluster/redis-connection';
import { CancelledError, ProviderError } from '../../../common/errors';
import { redisConfig } from '../../../config/redis.config';
import { sdConfig } from '../../../config/sd.config';
import { SdMetrics } from '../../../metrics/sd.metrics';
import { SD_DEFAULTS, type SdDefaults } from '../sd-defaults.provider';
import { SdPoolService } from '../sd-pool.service';
import type { SdPoolStatusDto } from '../sd-status.dto';
import { SdWebUiClient, type WebUiImage } from '../sd-webui.client';
import type { SdImage, SdRequest } from '../sd.types';
import { QUEUE_NAME, QUEUE_PREFIX, sdKeys } from './sd-cluster.keys';
import { ClusterImageRun, type ImageOutcome } from './sd-cluster.run';
import { SdClusterProber } from './sd-cluster.prober';
import { renewEveryMs } from './lease-timing';
import { SdSharedHealth } from './sd-shared-health';
import { SdSlotLeases } from './sd-slot-leases';
import { WakeSignal } from './wake-signal';

/** What travels through the queue: the image asked for, by which node, in which arrival order. */
interface ImageJobData {
  node: string;
  seq: number;
  step: string;
  payload: SdRequest;
}

/** What the node that ran an image answers; the image itself waits in a result key. */
type ImageReturn = Exclude<ImageOutcome, { kind: 'image' }> | { kind: 'image'; instance: string; durationMs: number };

/** An image this node asked for and waits on. */
interface Pending {
  jobId: string;
  step: string;
  payload: SdRequest;
  signal?: AbortSignal;
  resolve(image: SdImage): void;
  reject(error: Error): void;
}

/** A made image waits this long for the node that asked for it to collect it. */
const RESULT_TTL_MS = 5 * 60_000;
/** Finished jobs are kept a little while, so a node reconnecting after a Redis hiccup can still read their outcome. */
const KEEP_FINISHED = { age: 300, count: 5000 };

/**
 * The Stable Diffusion pool shared by every node through Redis. Each image is a BullMQ job in
 * one queue, so images start first in first out across nodes; every node's worker takes jobs
 * and runs them on a slot leased in Redis (SdSlotLeases), with health and image times shared
 * (SdSharedHealth). The image goes back to the node that asked for it (the job's outcome plus a
 * result key); a generation that gives an image up removes its waiting job or makes the node
 * running it abort and interrupt its instance. A job whose node is gone is dropped, not made.
 */
@Injectable()
export class ClusterSdPool extends SdPoolService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ClusterSdPool.name);
  private queue?: Queue<ImageJobData, ImageReturn>;
  private worker?: Worker<ImageJobData, ImageReturn>;
  private events?: QueueEvents;
  private subscriber?: Redis;
  private readonly pending = new Map<string, Pending>();
  private readonly bySignal = new WeakMap<AbortSignal, Set<Pending>>();
  private readonly runs = new Map<string, ClusterImageRun>();
  private readonly wake = new WakeSignal();
  private keeper?: NodeJS.Timeout;
  private outage?: NodeJS.Timeout;
  private localJobs = 0;
  private started?: Promise<void>;
  private stopped?: Promise<void>;

  constructor(
    private readonly node: ClusterNode,
    private readonly client: SdWebUiClient,
    private readonly leases: SdSlotLeases,
    private readonly health: SdSharedHealth,
    private readonly prober: SdClusterProber,
    @Inject(sdConfig.KEY) private readonly config: ConfigType<typeof sdConfig>,
    @Inject(redisConfig.KEY) private readonly shared: ConfigType<typeof redisConfig>,
    @Inject(SD_DEFAULTS) defaults: SdDefaults,
    private readonly metrics: SdMetrics,
  ) {
    super(defaults);
  }

  private get redis(): Redis {
    return this.node.redis!;
  }

  /*
   * Nest calls each hook twice on this instance, as ClusterSdPool and as the SdPoolService the
   * module's factory returns: once only, or a second worker, event reader and subscriber would
   * be opened, the first set never closed.
   */
  onModuleInit(): Promise<void> {
    this.started ??= this.start();
    return this.started;
  }

  onModuleDestroy(): Promise<void> {
    this.stopped ??= this.stop();
    return this.stopped;
  }

  private async start(): Promise<void> {
    if (!this.node.clustered) return;
    await this.node.ready();
    await this.leases.markEpoch();
    const url = this.shared.url!;
    // Blocking connections of the worker and the event reader wait as long as they must; the queue's commands fail fast.
    const { connectionName, retryStrategy, protocol } = connectionOptions(`inspilot:${this.node.id}:queue`);
    const blocking: QueueRedisOptions = { url, connectionName, retryStrategy, protocol, enableOfflineQueue: true, maxRetriesPerRequest: null };
    this.queue = new Queue(QUEUE_NAME, { connection: this.redis, prefix: QUEUE_PREFIX, streams: { events: { maxLen: 10_000 } } });
    this.queue.on('error', () => undefined);
    this.events = new QueueEvents(QUEUE_NAME, { connection: blocking, prefix: QUEUE_PREFIX });
    this.events.on('error', () => undefined);
    this.events.on('completed', ({ jobId, returnvalue }) => void this.completed(jobId, returnvalue as unknown as ImageReturn));
    this.events.on('failed', ({ jobId, failedReason }) => this.lost(jobId, failedReason));
    this.subscriber = this.redis.duplicate({ connectionName: `inspilot:${this.node.id}:events`, enableOfflineQueue: true });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === sdKeys.wakeChannel) this.wake.notify();
      else if (channel === sdKeys.cancelChannel) this.runs.get(message)?.cancel('its generation gave it up');
    });
    await this.subscriber.subscribe(sdKeys.wakeChannel, sdKeys.cancelChannel);
    await this.events.waitUntilReady();
    this.worker = new Worker(QUEUE_NAME, (job) => this.process(job), {
      connection: blocking,
      prefix: QUEUE_PREFIX,
      // One node alone can fill the pool; images beyond the free slots wait in line in Redis.
      concurrency: this.config.endpoints.length * this.config.slotsPerInstance,
      // A node that dies loses its jobs' locks this soon; a job it was running for a live node runs again elsewhere (once).
      lockDuration: this.shared.leaseTtlMs,
      stalledInterval: this.shared.leaseTtlMs,
      maxStalledCount: 1,
      removeOnComplete: KEEP_FINISHED,
      removeOnFail: KEEP_FINISHED,
    });
    this.worker.on('error', (error) => this.logger.debug(`queue worker: ${error.message}`));
    this.keeper = setInterval(() => void this.keep(), renewEveryMs(this.shared.leaseTtlMs));
    this.keeper.unref();
    this.redis.on('close', () => this.redisDown());
    this.redis.on('ready', () => this.redisUp());
    this.prober.start();
  }

  private async stop(): Promise<void> {
    if (!this.node.clustered) return;
    this.prober.stop();
    clearInterval(this.keeper);
    clearTimeout(this.outage);
    for (const pending of [...this.pending.values()]) this.settle(pending, new ProviderError('The service is shutting down.', 'sd', 503, { step: pending.step }));
    // This node's own images are given up; others' running here finish (bounded), or run again elsewhere once their lock lapses.
    for (const run of this.runs.values()) if (run.forNode === this.node.id) run.cancel('the service is shutting down');
    const closing = this.worker?.close();
    const bound = new Promise((resolve) => setTimeout(resolve, this.shared.leaseTtlMs).unref());
    await Promise.race([closing, bound]);
    if (this.worker && !this.worker.closing) await this.worker.close(true).catch(() => undefined);
    await Promise.all([this.events?.close(), this.queue?.close()].map((closed) => closed?.catch(() => undefined)));
    this.subscriber?.disconnect();
  }

  async status(detailed = false): Promise<SdPoolStatusDto> {
    try {
      const [waiting, waiters, instances] = await Promise.all([
        this.queue!.getWaitingCount(),
        this.leases.waiting(),
        Promise.all(this.health.instances.map(async (instance) => this.health.status(instance, await this.leases.running(instance.url), detailed))),
      ]);
      return { instances, queued: waiting + waiters };
    } catch (error) {
      throw new ProviderError(`The Stable Diffusion pool's Redis is unreachable: ${(error as Error).message}`, 'sd', 503);
    }
  }

  protected async run(payload: SdRequest, step: string, signal?: AbortSignal): Promise<SdImage> {
    if (signal?.aborted) throw new CancelledError(`Image of step "${step}"`);
    let seq: number;
    try {
      await whenReady(this.redis, this.shared.timeoutMs);
      seq = await this.redis.incr(sdKeys.seq);
    } catch (error) {
      throw this.unreachable(step, error);
    }
    const jobId = `img-${seq}-${this.node.id.slice(-6)}-${++this.localJobs}`;
    return new Promise<SdImage>((resolve, reject) => {
      const pending: Pending = { jobId, step, payload, signal, resolve, reject };
      this.pending.set(jobId, pending);
      if (signal) this.follow(signal, pending);
      if (signal?.aborted) return this.cancel(pending);
      const data: ImageJobData = { node: this.node.id, seq, step, payload };
      this.queue!.add('image', data, { jobId }).catch((error: unknown) => this.settle(pending, this.unreachable(step, error)));
    });
  }

  /** Cancels with the generation's signal; one listener per signal, however many images it asks for. */
  private follow(signal: AbortSignal, pending: Pending): void {
    let followed = this.bySignal.get(signal);
    if (!followed) {
      const set = new Set<Pending>();
      signal.addEventListener('abort', () => set.forEach((each) => this.cancel(each)), { once: true });
      this.bySignal.set(signal, (followed = set));
    }
    followed.add(pending);
  }

  /** Answers the caller at once; then takes the job out of the queue, or tells the node running it to stop. */
  private cancel(pending: Pending): void {
    if (!this.settle(pending, new CancelledError(`Image of step "${pending.step}"`))) return;
    const { jobId } = pending;
    void (async () => {
      await this.redis.set(sdKeys.cancel(jobId), '1', 'PX', RESULT_TTL_MS);
      await this.queue!.remove(jobId).catch(() => 0);
      await this.redis.publish(sdKeys.cancelChannel, jobId);
    })().catch(() => undefined);
  }

  /** Settles an image this node waits on, once; false when it was already settled. */
  private settle(pending: Pending, outcome: SdImage | Error): boolean {
    if (this.pending.get(pending.jobId) !== pending) return false;
    this.pending.delete(pending.jobId);
    if (pending.signal) this.bySignal.get(pending.signal)?.delete(pending);
    if (outcome instanceof Error) pending.reject(outcome);
    else pending.resolve(outcome);
    return true;
  }

  /** Runs a job taken from the queue, unless its generation gave it up or its node is gone. */
  private async process(job: Job<ImageJobData, ImageReturn>): Promise<ImageReturn> {
    const { node, seq, step, payload } = job.data;
    const jobId = job.id!;
    if ((await this.redis.exists(sdKeys.cancel(jobId))) === 1) return { kind: 'cancelled', reason: 'its generation gave it up' };
    if (!(await this.node.isAlive(node))) {
      this.logger.warn(`Dropped image of step "${step}": node ${node} that asked for it is gone`);
      return { kind: 'cancelled', reason: `node ${node} that asked for it is gone` };
    }
    const run = new ClusterImageRun(
      {
        client: this.client,
        leases: this.leases,
        health: this.health,
        wake: this.wake,
        config: this.config,
        redisTimeoutMs: this.shared.timeoutMs,
        pollMs: Math.min(200, renewEveryMs(this.shared.leaseTtlMs)),
        logger: this.logger,
        metrics: this.metrics,
        isAlive: (id) => this.node.isAlive(id),
      },
      jobId,
      seq,
      step,
      payload,
      node,
    );
    this.runs.set(jobId, run);
    run.start();
    const outcome = await run.outcome;
    this.runs.delete(jobId);
    if (outcome.kind !== 'image') return outcome;
    await this.redis.set(sdKeys.result(jobId), JSON.stringify(outcome.image), 'PX', RESULT_TTL_MS);
    return { kind: 'image', instance: outcome.instance, durationMs: outcome.durationMs };
  }

  /** A job finished (on any node): if this node asked for it, its caller gets the image or the failure. */
  private async completed(jobId: string, outcome: ImageReturn): Promise<void> {
    const pending = this.pending.get(jobId);
    if (!pending) return;
    if (outcome.kind === 'cancelled') return void this.settle(pending, new CancelledError(`Image of step "${pending.step}" (${outcome.reason})`));
    if (outcome.kind === 'error') return void this.settle(pending, new ProviderError(outcome.message, 'sd', outcome.status, outcome.details));
    let made: WebUiImage | undefined;
    try {
      const stored = await this.redis.getdel(sdKeys.result(jobId));
      made = stored ? (JSON.parse(stored) as WebUiImage) : undefined;
    } catch (error) {
      return void this.settle(pending, this.unreachable(pending.step, error));
    }
    if (!made) return this.lost(jobId, 'its image was not kept');
    const seed = made.info.seed;
    this.settle(pending, {
      image: made.image,
      seed: typeof seed === 'number' ? seed : undefined,
      info: made.info,
      parameters: pending.payload,
      instance: outcome.instance,
      durationMs: outcome.durationMs,
    });
  }

  /** A job of this node that failed outside the pool's own policy (its worker died twice, Redis lost it). */
  private lost(jobId: string, reason: string): void {
    const pending = this.pending.get(jobId);
    if (!pending) return;
    this.settle(pending, new ProviderError(`Stable Diffusion step "${pending.step}" was lost: ${reason}`, 'sd', 503, { step: pending.step }));
  }

  private unreachable(step: string, error: unknown): ProviderError {
    return new ProviderError(`Stable Diffusion step "${step}" could not be queued: the pool's Redis is unreachable (${(error as Error).message})`, 'sd', 503, { step });
  }

  /** Every few seconds: renews this node's slots, and gives up the images it runs for nodes that are gone. */
  private async keep(): Promise<void> {
    await this.leases.renewHeld().catch(() => undefined);
    const runs = [...this.runs.values()];
    if (runs.length === 0) return;
    const alive = await this.node.alive(runs.map((run) => run.forNode)).catch(() => undefined);
    if (!alive) return;
    for (const run of runs) if (!alive.has(run.forNode)) run.cancel(`node ${run.forNode} that asked for it is gone`);
  }

  /** Redis went away: images waiting on it fail with 503 unless it is back within REDIS_TIMEOUT_MS. */
  private redisDown(): void {
    if (this.outage) return;
    this.outage = setTimeout(() => {
      for (const pending of [...this.pending.values()]) {
        this.settle(pending, new ProviderError(`Stable Diffusion step "${pending.step}" waited ${this.shared.timeoutMs} ms for the pool's unreachable Redis`, 'sd', 503, { step: pending.step }));
      }
    }, this.shared.timeoutMs);
    this.outage.unref();
  }

  /** Redis is back: every image still awaited is looked up, since its outcome may have been missed or lost. */
  private redisUp(): void {
    clearTimeout(this.outage);
    this.outage = undefined;
    // Redis may have restarted empty: this node's running images take their slots back first.
    void this.leases.renewHeld().catch(() => undefined);
    for (const pending of [...this.pending.values()]) void this.reconcile(pending.jobId);
  }

  private async reconcile(jobId: string): Promise<void> {
    const state = await this.queue!.getJobState(jobId).catch(() => undefined);
    if (state === 'unknown') return this.lost(jobId, 'the pool\'s Redis restarted without it');
    if (state === 'completed' || state === 'failed') {
      const job = await this.queue!.getJob(jobId).catch(() => undefined);
      if (state === 'completed' && job) return this.completed(jobId, job.returnvalue);
      return this.lost(jobId, job?.failedReason ?? 'unknown');
    }
  }
}
