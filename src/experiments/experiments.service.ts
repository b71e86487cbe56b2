import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Types } from 'mongoose';
import pLimit from 'p-limit';
import type { Readable } from 'node:stream';
import { ClusterNode } from '../cluster/cluster-node.service';
import { BusinessError, NotFoundError } from '../common/errors';
import type { ImageMime, ProvedImage } from '../common/image-bytes';
import { proveImageStream } from '../common/proved-image-stream';
import { SERVICE_VERSION } from '../common/service-version';
import { researchConfig } from '../config/research.config';
import type { GenerationApp } from '../engine/generation-app';
import type { AnyPipeline } from '../engine/generation-pipeline';
import { ExperimentImageStore } from './experiment-image-store.service';
import { ExperimentRecorder } from './experiment-recorder';
import { ExperimentRecord, StepRecord } from './experiment.schema';
import { ExperimentFilter, ExperimentsRepository } from './experiments.repository';
import { PendingRecords } from './pending-records';
import { recordedInputs, recordedValue } from './recorded-json';
import { RecordingHealth } from './recording-health';

const RECORD_WRITE_SLOTS = 4;

/** A generation's record, checked and ready to open: nothing is stored until `begin`. */
export interface PreparedRecord {
  id: Types.ObjectId;
  /** The inputs as JSON text, each sketch replaced by `{ imageId }`. */
  inputs: string;
  sketches: ProvedImage[];
}

export interface BeginOptions {
  app: GenerationApp;
  pipeline: AnyPipeline;
  username?: string;
}

/** An experiment as a researcher reads it: steps in order, inputs and output as the values they record. */
export type ExperimentView = Omit<ExperimentRecord, 'steps' | 'inputs'> & { steps: StepRecord[]; inputs: unknown };

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
  private readonly pending = new PendingRecords();
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
    private readonly node: ClusterNode,
  ) {}

  /**
   * Records left running by a process that stopped mid-generation can never finish. Alone, every
   * earlier process is gone; among several nodes, only the records of nodes whose heartbeat
   * ended are, never those of nodes still running.
   */
  async onApplicationBootstrap(): Promise<void> {
    try {
      const count = this.node.clustered ? await this.markGoneNodesInterrupted() : await this.repository.markInterrupted(this.processStartedAt);
      if (count) this.logger.warn(`Marked ${count} experiment(s) left running by a stopped process as interrupted`);
    } catch (error) {
      this.health.failed('marking interrupted experiments', error);
    }
  }

  /** Marks the records left queued or running by node `nodeId`, found gone, interrupted. */
  async markNodeInterrupted(nodeId: string): Promise<number> {
    // No legacy record (without a node) is touched: the epoch precedes them all.
    return this.repository.markNodesInterrupted([nodeId], new Date(0));
  }

  /**
   * Marks the records left queued or running by nodes whose heartbeat ended interrupted (and
   * those of older versions, which name no node, started before this process). Among several
   * nodes, at start-up and then periodically (src/maintenance): a node that dies and never
   * starts again would otherwise leave its records running for good. Nothing is marked while
   * Redis is too recently restarted for a missing heartbeat to mean anything.
   */
  async markGoneNodesInterrupted(): Promise<number> {
    if (!(await this.node.heartbeatsSettled())) return 0;
    const nodes = await this.repository.runningNodeIds();
    const alive = await this.node.alive(nodes);
    return this.repository.markNodesInterrupted(
      nodes.filter((id) => !alive.has(id)),
      this.processStartedAt,
    );
  }

  /** How far recording lags: writes waiting for or holding a slot, and finished runs whose record is not yet written. */
  backlog(): { writes: number; unwrittenRecords: number } {
    return { writes: this.writeSlots.activeCount + this.writeSlots.pendingCount, unwrittenRecords: this.pending.size };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushed(this.pending.all());
  }

  /**
   * Waits, at most RECORD_FLUSH_TIMEOUT_MS, for the given records of finished runs to be
   * written, so a reader sees each generation that has answered whole.
   */
  private async flushed(writes: Promise<void>[]): Promise<void> {
    if (writes.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), this.config.flushTimeoutMs)));
    const done = await Promise.race([Promise.all(writes).then(() => true), timeout]);
    clearTimeout(timer);
    if (!done) this.health.failed('flushing records', new Error(`${writes.length} record(s) not written within ${this.config.flushTimeoutMs} ms`));
  }

  /**
   * Checks that a generation's inputs can be recorded exactly as sent, and finds its sketches.
   * Stores nothing: a refused request costs no disk.
   */
  prepare(inputs: Record<string, unknown>): PreparedRecord {
    const id = new Types.ObjectId();
    const recorded = recordedInputs(inputs, (index) => ExperimentRecorder.inputImageId(String(id), index));
    if ('problem' in recorded) throw new BusinessError(`Invalid request: ${recorded.problem}`);
    return { id, inputs: recorded.text, sketches: recorded.sketches };
  }

  /**
   * Opens the record of a generation, `queued` until its run starts, and stores its sketches.
   * If the record cannot be written, the generation still runs, unrecorded, and the failure is
   * counted on /health (`opened` says whether it was written).
   */
  begin(prepared: PreparedRecord, { app, pipeline, username }: BeginOptions): ExperimentRecorder {
    const startedAt = new Date();
    const id = String(prepared.id);
    const recorder = new ExperimentRecorder(
      id,
      startedAt,
      this.repository,
      this.images,
      this.health,
      (flushing, status) =>
        this.pending.add({ id, appId: app.id, type: pipeline.type, username, status, startedAt, flushing }),
      this.writeSlots,
    );
    void recorder.open({
      _id: prepared.id,
      appId: app.id,
      appName: app.name,
      type: pipeline.type,
      pipeline: pipeline.name,
      username,
      inputs: prepared.inputs,
      status: 'queued',
      createdAt: startedAt,
      startedAt,
      requests: 1,
      serviceVersion: SERVICE_VERSION,
      nodeId: this.node.id,
      steps: {},
      images: [],
    });
    prepared.sketches.forEach((sketch, index) => recorder.storeInput(sketch, index));
    return recorder;
  }

  async list(filter: ExperimentFilter, limit: number, after?: string): Promise<{ items: ExperimentRecord[]; nextCursor: string | null }> {
    await this.flushed(this.pending.matching(filter));
    // One more than asked tells whether a next page exists.
    const found = await this.repository.list(filter, limit + 1, after);
    return { items: found.slice(0, limit), nextCursor: found.length > limit ? String(found[limit - 1]._id) : null };
  }

  /** Waits for the records an export of `filter` will stream. */
  async flushedMatching(filter: ExperimentFilter): Promise<void> {
    await this.flushed(this.pending.matching(filter));
  }

  async get(id: string): Promise<ExperimentView> {
    await this.flushed(this.pending.of(id));
    const record = await this.repository.findById(id);
    if (!record) throw new NotFoundError(`No experiment ${id}.`);
    const { output, ...rest } = record;
    return {
      ...rest,
      inputs: recordedValue(record.inputs),
      ...(output === undefined ? {} : { output: recordedValue(output) }),
      steps: orderSteps(record.steps ?? {}),
    };
  }

  /** Stored images of experiment `id` as bytes, by image id; an image no longer stored is left out. */
  async imagesOf(id: string, imageIds: readonly string[]): Promise<Map<string, Buffer>> {
    await this.flushed(this.pending.of(id));
    return this.images.getMany(imageIds, { skipMissing: true });
  }

  /**
   * An image of an experiment, with the type its bytes prove (undefined when they prove none,
   * as a file stored by an older version may), whatever it was stored as.
   */
  async openImage(id: string, imageId: string): Promise<{ stream: Readable; length: number; mime?: ImageMime }> {
    await this.flushed(this.pending.of(id));
    const file = await this.images.find(imageId);
    if (!file || file.metadata.owner !== id) {
      const record = await this.repository.findById(id);
      const removed = record?.images.some((image) => image.imageId === imageId && image.removed);
      throw new NotFoundError(
        removed ? `Image ${imageId} of experiment ${id} was removed by the retention policy.` : `No image ${imageId} in experiment ${id}.`,
      );
    }
    const { mime, stream } = await proveImageStream(this.images.openStream(imageId));
    return { stream, length: file.length, mime };
  }
}
