import pLimit from 'p-limit';
import pRetry, { AbortError } from 'p-retry';
import { AppError, ProviderError } from '../common/errors';
import type { ProvedImage } from '../common/image-bytes';
import { isDuplicateKey, isValueRefusal } from '../common/mongo-errors';
import type { ImageTrace, RunRecorder, RunStatus } from '../engine/run-recorder';
import type { StepTrace } from '../engine/step-trace.dto';
import type { ExperimentImageStore } from './experiment-image-store.service';
import type { ImageRecord, StepRecord } from './experiment.schema';
import type { ExperimentsRepository } from './experiments.repository';
import { recordedOutput } from './recorded-json';
import type { RecordingHealth } from './recording-health';

export function describeError(error: Error): { message: string; code?: number; step?: string; provider?: string } {
  if (error instanceof ProviderError) return { message: error.message, code: error.code, step: error.details.step, provider: error.provider };
  if (error instanceof AppError) return { message: error.message, code: error.code };
  return { message: error.message };
}

function toStepRecord(trace: StepTrace): StepRecord {
  return {
    ...withoutUndefined(trace),
    deps: [...trace.deps],
    attempts: [...trace.attempts],
    ...(trace.items ? { items: [...trace.items] } : {}),
    ...(trace.endedAt ? { durationMs: trace.endedAt.getTime() - trace.startedAt.getTime() } : {}),
  };
}

/**
 * Writes one generation's record as it runs, off the run's path. Changes gathered while a
 * write is under way go out together in the next one, so a busy run costs a few writes,
 * not one per event; images upload side by side and join the record once stored. A failed
 * write is counted and logged, never thrown into the run.
 */
export class ExperimentRecorder implements RunRecorder {
  private pending: Record<string, unknown> = {};
  private pendingImages: ImageRecord[] = [];
  private writing?: Promise<void>;
  /** Set when the record could not be opened: there is nothing to update. */
  private closed = false;
  private scheduled = false;
  /** The record's completion, once the run has finished. */
  flushing?: Promise<void>;
  /** When the record was opened: the generation was accepted. */
  readonly createdAt: Date;
  /** Whether the opening record was written; images are stored only for a record that exists. */
  private opening: Promise<boolean> = Promise.resolve(true);
  private readonly uploads = new Set<Promise<void>>();
  /** Base64 of each stored image → its id, to record which images the answer showed. */
  private readonly imageIds = new Map<string, string>();

  constructor(
    readonly id: string,
    /** When the record was opened; once the run starts, when it started. */
    private startedAt: Date,
    private readonly repository: ExperimentsRepository,
    private readonly images: ExperimentImageStore,
    private readonly health: RecordingHealth,
    /** Told of the write that completes the record and how the run ended, so readers and shutdown can wait for it. */
    private readonly onFinished: (flushing: Promise<void>, status: RunStatus) => void = () => undefined,
    /** Write slots shared by every recorder of the process (see ExperimentsService). */
    private readonly slots: pLimit.Limit = pLimit(Infinity),
  ) {
    this.createdAt = startedAt;
  }

  /**
   * Writes the opening record; later writes wait for it. The run does not, so opening a
   * record adds nothing to a generation's time. Resolves false when it could not be written.
   */
  open(record: object): Promise<boolean> {
    let tries = 0;
    const create = async () => {
      tries += 1;
      try {
        await this.repository.create(record as never);
      } catch (error) {
        // The record's id is new: on a second try, a duplicate means the first one was written
        // although its answer was lost (a timeout, a dropped connection).
        if (tries > 1 && isDuplicateKey(error)) return;
        throw error;
      }
    };
    const opened = (this.opening = this.persist(create).then(
      () => true,
      (error: unknown) => {
        this.lost(`opening experiment ${this.id}`, error);
        this.closed = true;
        return false;
      },
    ));
    this.writing = opened.then(() => undefined).finally(() => {
      this.writing = undefined;
      this.write();
    });
    return opened;
  }

  /** Whether the opening record was written (false when the database refused it for good). */
  get opened(): Promise<boolean> {
    return this.opening;
  }

  /** How many identical requests the run answers (see src/jobs/duplicate-runs.ts). */
  requestsChanged(requests: number): void {
    this.change({ requests });
  }

  /** The id under which the `index`-th sketch of experiment `id` is stored. */
  static inputImageId(id: string, index: number): string {
    return `${id}-input-${index}`;
  }

  /** Stores a sketch the participant sent, as the type its bytes proved. */
  storeInput(sketch: ProvedImage, index: number): void {
    this.upload(`input image ${index}`, ExperimentRecorder.inputImageId(this.id, index), sketch.base64, sketch.mime, { step: 'input', index });
  }

  /** The run began its steps: the record leaves `queued`, and says when the run started. */
  started(at: Date): void {
    this.startedAt = at;
    this.change({ status: 'running', startedAt: at });
  }

  stepChanged(trace: StepTrace): void {
    this.change({ [`steps.${trace.name}`]: toStepRecord(trace) });
  }

  async imageMade({ step, index, image }: ImageTrace): Promise<string> {
    const imageId = `${this.id}-${step}-${index}`;
    this.imageIds.set(image.image, imageId);
    this.upload(`image ${step}[${index}]`, imageId, image.image, 'image/png', {
      step,
      index,
      madeAt: new Date(),
      parameters: image.parameters,
      instance: image.instance,
      seed: image.seed,
      info: image.info,
    });
    return imageId;
  }

  /**
   * Completes the record in the background: the participant's answer does not wait for
   * research bookkeeping. `flushing` tells when the record is whole.
   */
  async finished(status: RunStatus, error?: Error, output?: unknown): Promise<void> {
    const endedAt = new Date();
    this.flushing = (async () => {
      // The final status goes after every image, so a finished record lists all it showed.
      await Promise.all(this.uploads);
      this.change({
        status,
        endedAt,
        durationMs: endedAt.getTime() - this.startedAt.getTime(),
        ...(error ? { error: describeError(error) } : {}),
        ...(output === undefined ? {} : { output: recordedOutput(output, (text) => this.imageIds.get(text)) }),
      });
      while (this.writing || this.scheduled) await (this.writing ?? new Promise((resolve) => setImmediate(resolve)));
    })();
    this.onFinished(this.flushing, status);
  }

  /**
   * One record write in a shared slot, retried a few times: writes of many runs at once can be
   * refused for a moment (a busy server, a lost election), and a record should not lose a step
   * to that. The recorder's writes are one at a time, so a retried write still lands in order.
   */
  private persist<T>(write: () => Promise<T>): Promise<T> {
    const once = () =>
      this.slots(write).catch((error: unknown) => {
        // A refusal of the value itself (duplicate key, invalid document) will not pass on a retry.
        throw isValueRefusal(error) ? new AbortError(error as Error) : error;
      });
    return pRetry(once, { retries: 5, minTimeout: 50, factor: 2.5, randomize: true });
  }

  /** Counts and logs a write that failed for good; one refused for its content is named so, since retrying cannot help. */
  private lost(what: string, error: unknown): void {
    this.health.failed(isValueRefusal(error) ? `${what}, refused by the database for its content` : what, error);
  }

  private upload(what: string, imageId: string, base64: string, contentType: string, record: Omit<ImageRecord, 'imageId'>): void {
    const upload = this.opening
      .then(async (opened) => {
        if (!opened) return;
        await this.persist(() => this.images.putBase64(imageId, this.id, base64, contentType, { step: record.step, index: record.index }));
        this.pendingImages.push(withoutUndefined({ imageId, ...record }));
        this.write();
      })
      .catch((error: unknown) => this.lost(`experiment ${this.id}, ${what}`, error))
      .finally(() => this.uploads.delete(upload));
    this.uploads.add(upload);
  }

  private change(fields: Record<string, unknown>): void {
    Object.assign(this.pending, fields);
    this.write();
  }

  /**
   * Starts a write of everything pending unless one is under way (that one starts the next).
   * It waits for the current turn of the event loop to end, so that what the run reports in
   * one go (a step's end and the final status, say) leaves as one write.
   */
  private write(): void {
    if (this.writing || this.closed || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.writeNow();
    });
  }

  private writeNow(): void {
    if (this.writing || this.closed) return;
    const fields = this.pending;
    const images = this.pendingImages;
    if (Object.keys(fields).length === 0 && images.length === 0) return;
    this.pending = {};
    this.pendingImages = [];
    this.writing = this.persist(() =>
      this.repository.update(this.id, {
        ...(Object.keys(fields).length ? { $set: fields } : {}),
        ...(images.length ? { $push: { images: { $each: images } } } : {}),
      }),
    )
      .catch((error: unknown) => this.lost(`experiment ${this.id}`, error))
      .finally(() => {
        this.writing = undefined;
        this.write();
      });
  }
}


function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}
