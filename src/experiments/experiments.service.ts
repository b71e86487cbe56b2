import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Types } from 'mongoose';
import pLimit from 'p-limit';
import type { Readable } from 'node:stream';
import { IMAGE_DATA_URL } from '../common/data-url';
import { NotFoundError } from '../common/errors';
import { SERVICE_VERSION } from '../common/service-version';
import { researchConfig } from '../config/research.config';
import { GenerationApp, Pipeline } from '../generate/generation-app';
import { RunRecorder } from '../generation/run-recorder';
import { ExperimentImageStore } from './experiment-image-store.service';
import { ExperimentRecorder } from './experiment-recorder';
import { ExperimentRecord, StepRecord } from './experiment.schema';
import { ExperimentFilter, ExperimentsRepository } from './experiments.repository';
import { RecordingHealth } from './recording-health';

const RECORD_WRITE_SLOTS = 4;

export interface BeginOptions {
  appId: number;
  type: number;
  /** Absent when the call named an app or type that does not exist. */
  app?: GenerationApp;
  pipeline?: Pipeline;
  username?: string;
  inputs: Record<string, unknown>;
}

/** Orders steps so each comes after its dependencies, then by start time. */
export function orderSteps(steps: Record<string, StepRecord>): StepRecord[] {
  const byStart = Object.values(steps).sort((a, b) => new Date(a.startedAt).getTime() - new Date(b.startedAt).getTime());
  const placed = new Set<string>();
  const ordered: StepRecord[] = [];
  const place = (step: StepRecord) => {
    if (placed.has(step.name)) return;
    placed.add(step.name);
    for (const dep of step.deps) if (steps[dep]) place(steps[dep]);
    ordered.push(step);
  };
  byStart.forEach(place);
  return ordered;
}

/** The record of every generation, and the researchers' ways to read it. */
@Injectable()
export class ExperimentsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExperimentsService.name);
  private readonly processStartedAt = new Date();
  /** Records of finished runs still being written. */
  private readonly flushing = new Set<Promise<void>>();
  /**
   * Record writes in flight at once across all runs: bookkeeping should not crowd the
   * database, and a server that serialises writes (the local SQLite-backed one) refuses
   * many concurrent ones.
   */
  private readonly writeSlots = pLimit(RECORD_WRITE_SLOTS);

  constructor(
    private readonly repository: ExperimentsRepository,
    private readonly images: ExperimentImageStore,
    private readonly health: RecordingHealth,
    @Inject(researchConfig.KEY) private readonly config: ConfigType<typeof researchConfig>,
  ) {}

  /** Records left running by a process that stopped mid-generation can never finish. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      const count = await this.repository.markInterrupted(this.processStartedAt);
      if (count) this.logger.warn(`Marked ${count} experiment(s) left running by an earlier process as interrupted`);
    } catch (error) {
      this.health.failed('marking interrupted experiments', error);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushed();
  }

  /**
   * Waits for the records of this process's finished runs to be written, at most
   * RECORD_FLUSH_TIMEOUT_MS, so a reader sees every generation that has answered.
   */
  async flushed(): Promise<void> {
    if (this.flushing.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), this.config.flushTimeoutMs)));
    const done = await Promise.race([Promise.all(this.flushing).then(() => true), timeout]);
    clearTimeout(timer);
    if (!done) this.health.failed('flushing records', new Error(`records not written within ${this.config.flushTimeoutMs} ms`));
  }

  private track(flushing: Promise<void>): void {
    this.flushing.add(flushing);
    void flushing.finally(() => this.flushing.delete(flushing));
  }

  /**
   * Opens the record of a generation. If the record cannot be written, the generation
   * still runs, unrecorded, and the failure is counted on /health.
   */
  begin(options: BeginOptions): RunRecorder {
    const id = new Types.ObjectId();
    const startedAt = new Date();
    const recorder = new ExperimentRecorder(
      String(id),
      startedAt,
      this.repository,
      this.images,
      this.health,
      (flushing) => this.track(flushing),
      this.writeSlots,
    );
    const sketches: string[] = [];
    const inputs = replaceSketches(options.inputs, (dataUrl) => recorder.inputImageId(sketches.push(dataUrl) - 1));
    void recorder.open({
      _id: id,
      appId: options.appId,
      appName: options.app?.name,
      type: options.type,
      pipeline: options.pipeline?.name,
      username: options.username,
      inputs,
      status: 'running',
      startedAt,
      serviceVersion: SERVICE_VERSION,
      steps: {},
      images: [],
    });
    sketches.forEach((dataUrl, index) => recorder.storeInput(dataUrl, index));
    return recorder;
  }

  async list(filter: ExperimentFilter, limit: number, after?: string): Promise<{ items: ExperimentRecord[]; nextCursor: string | null }> {
    await this.flushed();
    // One more than asked tells whether a next page exists.
    const found = await this.repository.list(filter, limit + 1, after);
    return { items: found.slice(0, limit), nextCursor: found.length > limit ? String(found[limit - 1]._id) : null };
  }

  async get(id: string): Promise<Omit<ExperimentRecord, 'steps'> & { steps: StepRecord[] }> {
    await this.flushed();
    const record = await this.repository.findById(id);
    if (!record) throw new NotFoundError(`No experiment ${id}.`);
    return { ...record, steps: orderSteps(record.steps ?? {}) };
  }

  async openImage(id: string, imageId: string): Promise<{ stream: Readable; length: number; contentType: string }> {
    await this.flushed();
    const file = await this.images.find(imageId);
    if (!file || file.metadata.owner !== id) {
      const record = await this.repository.findById(id);
      const removed = record?.images.some((image) => image.imageId === imageId && image.removed);
      throw new NotFoundError(
        removed ? `Image ${imageId} of experiment ${id} was removed by the retention policy.` : `No image ${imageId} in experiment ${id}.`,
      );
    }
    return { stream: this.images.openStream(imageId), length: file.length, contentType: file.metadata.contentType };
  }
}

/** Replaces each sketch data URL in the request's inputs by `{ imageId }`, storing it. */
function replaceSketches(value: unknown, store: (dataUrl: string) => string): Record<string, unknown> {
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return IMAGE_DATA_URL.test(item) ? { imageId: store(item) } : item;
    if (Array.isArray(item)) return item.map(walk);
    if (item && typeof item === 'object') return Object.fromEntries(Object.entries(item).map(([key, child]) => [key, walk(child)]));
    return item;
  };
  return walk(value) as Record<string, unknown>;
}
