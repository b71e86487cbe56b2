import { AppError, ProviderError } from '../common/errors';
import type { ImageTrace, RunRecorder, RunStatus, StepTrace } from '../generation/run-recorder';
import type { ExperimentImageStore } from './experiment-image-store.service';
import type { StepRecord } from './experiment.schema';
import type { ExperimentsRepository } from './experiments.repository';
import type { RecordingHealth } from './recording-health';

/** Replaces every string `replace` knows (an image's base64) with `{ imageId }`, deeply. */
export function withImageIds(value: unknown, replace: (text: string) => string | undefined): unknown {
  if (typeof value === 'string') {
    const imageId = replace(value);
    return imageId ? { imageId } : value;
  }
  if (Array.isArray(value)) return value.map((item) => withImageIds(item, replace));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withImageIds(item, replace)]));
  }
  return value;
}

export function describeError(error: Error): { message: string; code?: number; step?: string; provider?: string } {
  if (error instanceof ProviderError) return { message: error.message, code: error.code, step: error.details.step, provider: error.provider };
  if (error instanceof AppError) return { message: error.message, code: error.code };
  return { message: error.message };
}

function toStepRecord(trace: StepTrace): StepRecord {
  const defined = Object.fromEntries(Object.entries(trace).filter(([, value]) => value !== undefined)) as StepTrace;
  return {
    ...defined,
    deps: [...trace.deps],
    attempts: [...trace.attempts],
    ...(trace.items ? { items: [...trace.items] } : {}),
    ...(trace.endedAt ? { durationMs: trace.endedAt.getTime() - trace.startedAt.getTime() } : {}),
  };
}

/**
 * Writes one generation's record as it runs. Writes go one after another in the order the
 * run reported them, off the run's path; a failed write is counted and logged, never thrown.
 */
export class ExperimentRecorder implements RunRecorder {
  private queue: Promise<void> = Promise.resolve();
  /** Base64 of each stored image → its id, to record which images the answer showed. */
  private readonly imageIds = new Map<string, string>();

  constructor(
    readonly id: string,
    private readonly startedAt: Date,
    private readonly repository: ExperimentsRepository,
    private readonly images: ExperimentImageStore,
    private readonly health: RecordingHealth,
    private readonly flushTimeoutMs: number,
  ) {}

  inputImageId(index: number): string {
    return `${this.id}-input-${index}`;
  }

  /** Stores a sketch the participant sent (a data URL) under `inputImageId(index)`. */
  storeInput(dataUrl: string, index: number): void {
    const imageId = this.inputImageId(index);
    const comma = dataUrl.indexOf(',');
    const contentType = /^data:([^;,]+)/.exec(dataUrl)?.[1] ?? 'application/octet-stream';
    this.enqueue(`input image ${index}`, async () => {
      await this.images.putBase64(imageId, this.id, dataUrl.slice(comma + 1), contentType, { step: 'input', index });
      await this.repository.addImage(this.id, { imageId, step: 'input', index });
    });
  }

  stepChanged(trace: StepTrace): void {
    const record = toStepRecord(trace);
    this.enqueue(`step ${trace.name}`, () => this.repository.update(this.id, { $set: { [`steps.${trace.name}`]: record } }));
  }

  async imageMade({ step, index, image }: ImageTrace): Promise<string> {
    const imageId = `${this.id}-${step}-${index}`;
    this.imageIds.set(image.image, imageId);
    this.enqueue(`image ${step}[${index}]`, async () => {
      await this.images.putBase64(imageId, this.id, image.image, 'image/png', { step, index });
      await this.repository.addImage(this.id, {
        imageId,
        step,
        index,
        parameters: image.parameters,
        instance: image.instance,
        seed: image.seed,
        info: image.info,
      });
    });
    return imageId;
  }

  async finished(status: RunStatus, error?: Error, output?: unknown): Promise<void> {
    const endedAt = new Date();
    this.enqueue('final status', () =>
      this.repository.update(this.id, {
        $set: {
          status,
          endedAt,
          durationMs: endedAt.getTime() - this.startedAt.getTime(),
          ...(error ? { error: describeError(error) } : {}),
          ...(output === undefined ? {} : { output: withImageIds(output, (text) => this.imageIds.get(text)) }),
        },
      }),
    );
    // The answer waits for the record, so a researcher reading it next sees it whole, but not for long.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.health.failed(`experiment ${this.id}`, new Error(`record not written within ${this.flushTimeoutMs} ms`));
        resolve();
      }, this.flushTimeoutMs);
    });
    await Promise.race([this.queue, timeout]);
    clearTimeout(timer);
  }

  private enqueue(what: string, write: () => Promise<unknown>): void {
    this.queue = this.queue.then(write).then(
      () => undefined,
      (error: unknown) => this.health.failed(`experiment ${this.id}, ${what}`, error),
    );
  }
}
