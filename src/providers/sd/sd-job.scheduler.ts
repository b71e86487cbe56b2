import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AttemptFailure, CancelledError, ProviderError } from '../../common/errors';
import { sdConfig } from '../../config/sd.config';
import { SdInstanceProber } from './sd-instance.prober';
import type { SdInstance, SetAsideReason } from './sd-instance.state';
import { SD_INSTANCES } from './sd-instances.provider';
import { controlTimeoutMs, RecentDurations, stallThresholdMs } from './sd-stall.policy';
import { SdWebUiClient, WebUiImage } from './sd-webui.client';
import { WebUiError } from './sd-webui.error';
import { tryOutcome } from './sd-try-outcome';
import { SdMetrics } from '../../metrics/sd.metrics';
import type { SdImage, SdRequest } from './sd.types';

/** One try of a job on one instance. */
interface Attempt {
  job: Job;
  instance: SdInstance;
  number: number;
  startedAt: number;
  controller: AbortController;
  stallTimer?: NodeJS.Timeout;
  /** Why it did not make the image (stalled, failed, or both); unset while it may still succeed. */
  reason?: string;
  failedAt?: string;
  stalled?: boolean;
  /** Settles once the instance was told to stop the job we gave up; its slot stays taken until then. */
  interrupted: Promise<void>;
}

/**
 * The most an image waits for the rest of its generation's images when more are coming (see
 * ImagePlace): small beside any image's time, long enough for steps that finish together.
 */
export const GATHER_MS = 50;

/** Where an image stands in its generation. */
export interface ImagePlace {
  /** Its slot: the images of one generation start slot by slot, so a creative's images are made together. */
  slot: number;
  /**
   * Another image step of the generation is about to ask for its images: wait for them (at
   * most GATHER_MS) before starting, so that its images take their turns by slot rather than
   * by which step finished a moment earlier.
   */
  moreComing: boolean;
}

/** One image asked of the pool, from arrival until it is made, refused or given up. */
interface Job {
  /** Arrival order. */
  seq: number;
  /**
   * Its place in the queue, which is kept sorted by it (so a job sent back keeps its place):
   * its generation's first arrival, then its slot in the generation, then its own arrival.
   */
  rank: readonly [number, number, number];
  step: string;
  payload: SdRequest;
  signal?: AbortSignal;
  /** Tries started (first, retries, hedges); at most SD_MAX_ATTEMPTS. */
  tries: number;
  running: Set<Attempt>;
  failed: Attempt[];
  /** Instances it failed or stalled on; another is preferred while one is free. */
  avoid: Set<SdInstance>;
  queued: boolean;
  /** Runs while no instance is healthy: the job fails when it ends first. */
  recoveryTimer?: NodeJS.Timeout;
  done: boolean;
  settle(outcome: SdImage | Error): void;
}

/**
 * The pool's scheduling: one queue in arrival order, at most SD_SLOTS_PER_INSTANCE jobs per
 * instance, and for each image its tries. A failed image goes back to the queue (ahead of
 * later arrivals) and its instance is set aside until probed back; a stalled one is hedged
 * on another instance, first answer winning; with no healthy instance a job waits up to
 * SD_RECOVERY_WAIT_MS for one to come back. Every request given up is aborted and its
 * instance interrupted, so no GPU works for nobody.
 */
@Injectable()
export class SdJobScheduler implements OnModuleDestroy {
  private readonly logger = new Logger(SdJobScheduler.name);
  private readonly queue: Job[] = [];
  private readonly jobs = new Set<Job>();
  private readonly bySignal = new WeakMap<AbortSignal, Set<Job>>();
  /** The first arrival of each generation (by its signal): its images queue together. */
  private readonly firstSeq = new WeakMap<AbortSignal, number>();
  private gathering?: NodeJS.Timeout;
  private readonly poolHistory = new RecentDurations();
  private nextSeq = 0;

  constructor(
    @Inject(SD_INSTANCES) private readonly instances: SdInstance[],
    private readonly client: SdWebUiClient,
    private readonly prober: SdInstanceProber,
    @Inject(sdConfig.KEY) private readonly config: ConfigType<typeof sdConfig>,
    private readonly metrics: SdMetrics,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  onModuleDestroy(): void {
    clearTimeout(this.gathering);
    for (const job of [...this.jobs]) this.finish(job, new ProviderError('The service is shutting down.', 'sd', 503, { step: job.step }));
  }

  /**
   * Makes one image; `signal` gives it up, queued or running. The images of one generation
   * (one signal) are queued together, in the order of their slot, behind the generations that
   * arrived before; without a signal or a place, a job keeps its arrival order.
   */
  run(payload: SdRequest, step: string, signal?: AbortSignal, place?: ImagePlace): Promise<SdImage> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new CancelledError(`Image of step "${step}"`));
      const seq = this.nextSeq++;
      if (signal && !this.firstSeq.has(signal)) this.firstSeq.set(signal, seq);
      const job: Job = {
        seq,
        rank: [signal ? this.firstSeq.get(signal)! : seq, place?.slot ?? seq, seq],
        step,
        payload,
        signal,
        tries: 0,
        running: new Set(),
        failed: [],
        avoid: new Set(),
        queued: false,
        done: false,
        settle: (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome)),
      };
      if (signal) this.follow(signal, job);
      this.jobs.add(job);
      this.enqueue(job);
      if (place?.moreComing) this.gather();
      else this.dispatch();
    });
  }

  /** Dispatches in GATHER_MS, or as soon as a job arrives that waits for nothing. */
  private gather(): void {
    if (this.gathering) return;
    this.gathering = setTimeout(() => this.dispatch(), GATHER_MS);
  }

  /** Cancels the job with its signal; one listener per signal, however many images a generation asks for. */
  private follow(signal: AbortSignal, job: Job): void {
    let jobs = this.bySignal.get(signal);
    if (!jobs) {
      const followed = new Set<Job>();
      signal.addEventListener(
        'abort',
        () => {
          for (const each of followed) this.finish(each, new CancelledError(`Image of step "${each.step}"`));
        },
        { once: true },
      );
      this.bySignal.set(signal, (jobs = followed));
    }
    jobs.add(job);
  }

  private get anyHealthy(): boolean {
    return this.instances.some((instance) => instance.healthy);
  }

  private enqueue(job: Job): void {
    const at = this.queue.findIndex((other) => before(job.rank, other.rank));
    this.queue.splice(at < 0 ? this.queue.length : at, 0, job);
    job.queued = true;
    if (!this.anyHealthy) this.awaitRecovery(job);
  }

  private dequeue(job: Job): void {
    if (!job.queued) return;
    this.queue.splice(this.queue.indexOf(job), 1);
    job.queued = false;
    clearTimeout(job.recoveryTimer);
    job.recoveryTimer = undefined;
  }

  /** Gives free healthy instances to the first jobs of the queue, the least busy instance first. */
  private dispatch(): void {
    clearTimeout(this.gathering);
    this.gathering = undefined;
    while (this.queue.length > 0) {
      const free = this.instances.filter((instance) => instance.free).sort((a, b) => a.running - b.running);
      if (free.length === 0) return;
      const job = this.queue[0];
      this.dequeue(job);
      this.start(job, free.find((instance) => !job.avoid.has(instance)) ?? free[0]);
    }
  }

  private start(job: Job, instance: SdInstance): void {
    job.tries += 1;
    instance.running += 1;
    const attempt: Attempt = {
      job,
      instance,
      number: job.tries,
      startedAt: Date.now(),
      controller: new AbortController(),
      interrupted: Promise.resolve(),
    };
    job.running.add(attempt);
    const limitMs = stallThresholdMs(instance.history.p95(), this.poolHistory.p95(), this.config.stall);
    attempt.stallTimer = setTimeout(() => this.stalled(attempt, limitMs), limitMs);
    attempt.stallTimer.unref();
    void this.client
      .txt2img(instance.url, job.payload, { timeoutMs: this.config.timeoutMs, signal: attempt.controller.signal })
      .catch(async (error: WebUiError) => {
        // Our timeout does not stop the GPU.
        if (error.timedOut) this.interrupt(attempt);
        await attempt.interrupted;
        return error;
      })
      .then((outcome) => {
        // The slot is free before the caller hears of the outcome, and given to the next job after.
        instance.running -= 1;
        this.metrics.tried(instance.name, tryOutcome(attempt, outcome), Date.now() - attempt.startedAt);
        if (outcome instanceof WebUiError) this.failed(attempt, outcome);
        else this.succeeded(attempt, outcome);
        this.dispatch();
      });
  }

  private succeeded(attempt: Attempt, image: WebUiImage): void {
    this.settleAttempt(attempt);
    const { job, instance } = attempt;
    // An answer that raced our abort is not wanted any more.
    if (job.done) return;
    const durationMs = Date.now() - attempt.startedAt;
    instance.succeeded(durationMs);
    this.poolHistory.add(durationMs);
    const seed = image.info.seed;
    this.finish(job, {
      image: image.image,
      seed: typeof seed === 'number' ? seed : undefined,
      info: image.info,
      parameters: job.payload,
      instance: instance.url,
      durationMs,
    });
  }

  private failed(attempt: Attempt, error: WebUiError): void {
    this.settleAttempt(attempt);
    // Given up by us (cancelled, or another try won): the instance did nothing wrong.
    if (attempt.controller.signal.aborted) return;
    const { job, instance } = attempt;
    this.noteFailure(attempt, error.message);
    if (!error.instanceFault) {
      instance.lastError = error.message;
      return this.finish(
        job,
        new ProviderError(`Stable Diffusion step "${job.step}" was refused by ${instance.name}: ${error.message}`, 'sd', 502, {
          step: job.step,
          instance: instance.url,
          attempts: this.attempts(job),
        }),
      );
    }
    this.setAside(instance, error.timedOut ? 'stalled' : 'failing', error.message);
    job.avoid.add(instance);
    this.carryOn(job);
  }

  /** Running far past its instance's normal time: the instance is set aside and the image hedged elsewhere. */
  private stalled(attempt: Attempt, limitMs: number): void {
    const { job, instance } = attempt;
    if (job.done) return;
    attempt.stalled = true;
    this.noteFailure(attempt, `stalled: no image after ${limitMs} ms`);
    this.setAside(instance, 'stalled', attempt.reason!);
    job.avoid.add(instance);
    this.carryOn(job);
  }

  /** A failed or stalled try is recorded once (counting once against its instance); a stall that then fails says both. */
  private noteFailure(attempt: Attempt, reason: string): void {
    if (attempt.reason === undefined) {
      attempt.instance.failed += 1;
      attempt.job.failed.push(attempt);
      attempt.reason = reason;
    } else {
      attempt.reason += `, then ${reason}`;
    }
    attempt.failedAt = new Date().toISOString();
  }

  private settleAttempt(attempt: Attempt): void {
    clearTimeout(attempt.stallTimer);
    attempt.job.running.delete(attempt);
  }

  /** After a try failed or stalled: another try if the budget allows, else wait for the ones running, else fail. */
  private carryOn(job: Job): void {
    if (job.done || job.queued) return;
    if (job.tries < this.config.maxAttempts) {
      this.enqueue(job);
      this.dispatch();
    } else if (job.running.size === 0) {
      const failures = job.failed.map((attempt) => `${attempt.instance.name}: ${attempt.reason}`).join('; ');
      this.finish(
        job,
        new ProviderError(
          `Stable Diffusion step "${job.step}" failed on ${job.tries} ${job.tries === 1 ? 'try' : 'tries'}: ${failures}`,
          'sd',
          502,
          { step: job.step, attempts: this.attempts(job) },
        ),
      );
    }
  }

  /** Ends a job once: dequeued, its other tries aborted, its caller answered. */
  private finish(job: Job, outcome: SdImage | Error): void {
    if (job.done) return;
    job.done = true;
    this.jobs.delete(job);
    if (job.signal) this.bySignal.get(job.signal)?.delete(job);
    this.dequeue(job);
    for (const attempt of job.running) this.abort(attempt);
    job.settle(outcome);
  }

  private abort(attempt: Attempt): void {
    clearTimeout(attempt.stallTimer);
    attempt.controller.abort();
    this.interrupt(attempt);
  }

  /** An interrupt stops whatever the instance is working on: only sent when that can only be this job. */
  private interrupt(attempt: Attempt): void {
    if (attempt.instance.running !== 1) return;
    attempt.interrupted = this.client.interrupt(attempt.instance.url, { timeoutMs: controlTimeoutMs(this.config) }).catch(() => undefined);
  }

  private setAside(instance: SdInstance, reason: SetAsideReason, error: string): void {
    const wasHealthy = instance.healthy;
    instance.setAside(reason, error);
    if (!wasHealthy) return;
    this.logger.warn(`Stable Diffusion instance ${instance.name} (${instance.url}) set aside, ${reason}: ${error}`);
    this.prober.watch(instance, () => this.recovered(instance));
    if (!this.anyHealthy) for (const job of this.queue) this.awaitRecovery(job);
  }

  private recovered(instance: SdInstance): void {
    this.logger.log(`Stable Diffusion instance ${instance.name} (${instance.url}) is healthy again`);
    for (const job of this.queue) {
      clearTimeout(job.recoveryTimer);
      job.recoveryTimer = undefined;
    }
    this.dispatch();
  }

  private awaitRecovery(job: Job): void {
    if (job.recoveryTimer) return;
    const waitMs = this.config.recoveryWaitMs;
    job.recoveryTimer = setTimeout(() => {
      const states = this.instances.map((instance) => `${instance.name} ${instance.state}`).join(', ');
      this.finish(
        job,
        new ProviderError(
          `No Stable Diffusion instance is healthy for step "${job.step}" after waiting ${waitMs} ms: ${states}.`,
          'sd',
          503,
          { step: job.step, attempts: this.attempts(job) },
        ),
      );
    }, waitMs);
    job.recoveryTimer.unref();
  }

  /** The tries that did not make the image, as the experiment record keeps them. */
  private attempts(job: Job): AttemptFailure[] {
    return job.failed.map((attempt) => ({
      attempt: attempt.number,
      reason: `${attempt.instance.name} ${attempt.instance.url}: ${attempt.reason}`,
      at: attempt.failedAt!,
    }));
  }
}

/** Whether rank `a` comes before rank `b` (compared element by element). */
function before(a: readonly number[], b: readonly number[]): boolean {
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return a[index] < b[index];
  return false;
}
