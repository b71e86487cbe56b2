import { HealthIndicatorService } from '@nestjs/terminus';
import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import { RecordMetrics } from '../metrics/record.metrics';
import { GenerationCancelledError, ProviderError } from '../common/errors';
import { isProvedImage, ProvedImage, readImageDataUrl } from '../common/image-bytes';
import type { StepTrace } from '../engine/step-trace.dto';
import type { ExperimentImageStore } from './experiment-image-store.service';
import { describeError, ExperimentRecorder } from './experiment-recorder';
import type { ExperimentsRepository } from './experiments.repository';
import { RecordingHealth } from './recording-health';

describe('describeError', () => {
  it('names the step and provider of a provider failure', () => {
    const error = new ProviderError('GPT step "products" failed after 2 tries: 500', 'gpt', 502, { step: 'products' });
    expect(describeError(error)).toEqual({ message: error.message, code: 2, step: 'products', provider: 'gpt' });
  });
});

/**
 * A stand-in for the experiments collection: one document in memory, updated the way
 * MongoDB applies `$set` (dotted paths) and `$push` (one value or `$each`). While `failing`
 * is set every write is refused, as a database that cannot be written would.
 */
class MemoryRepository {
  doc: Record<string, unknown> = { steps: {}, images: [] };
  failing = false;
  writes = 0;

  async create(record: Record<string, unknown>): Promise<string> {
    this.refuseIfFailing();
    this.doc = { ...record };
    return 'exp1';
  }

  async update(_id: string, update: { $set?: Record<string, unknown>; $push?: Record<string, unknown> }): Promise<void> {
    this.refuseIfFailing();
    for (const [path, value] of Object.entries(update.$set ?? {})) this.setPath(path, value);
    for (const [field, value] of Object.entries(update.$push ?? {})) {
      const list = (this.doc[field] ??= []) as unknown[];
      const each = (value as { $each?: unknown[] }).$each;
      list.push(...(each ?? [value]));
    }
  }

  async addImage(id: string, image: unknown): Promise<void> {
    await this.update(id, { $push: { images: image } });
  }

  private refuseIfFailing(): void {
    this.writes += 1;
    if (this.failing) throw new Error('write refused: disk full');
  }

  private setPath(path: string, value: unknown): void {
    const keys = path.split('.');
    let target = this.doc;
    for (const key of keys.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
    target[keys.at(-1)!] = value;
  }
}

/**
 * The recorder over a repository whose writes fail: the run it records must never see the
 * failure. Only the repository and image store are stand-ins; RecordingHealth is the real one.
 */
describe('ExperimentRecorder when the database refuses its writes', () => {
  const trace = (status: StepTrace['status']): StepTrace => ({
    name: 'products',
    kind: 'gpt',
    deps: [],
    template: 'paint/products',
    templateHash: '0123456789abcdef',
    prompt: '列出产品',
    attempts: [],
    startedAt: new Date(),
    ...(status === 'running' ? {} : { endedAt: new Date() }),
    status,
  });
  const proved = readImageDataUrl(
    'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  );
  const SKETCH = proved as ProvedImage;
  const sdImage = {
    image: 'aGVsbG8=',
    parameters: { prompt: 'a scene' },
    instance: 'http://127.0.0.1:7860',
    seed: 1,
    info: {},
    durationMs: 1,
  };

  let health: RecordingHealth;
  const recording = () => (health.check() as unknown as { recording: { status: string; errors: number; lastError: string | null } }).recording;

  beforeEach(() => {
    expect(isProvedImage(proved)).toBe(true);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    health = new RecordingHealth(new HealthIndicatorService(), new RecordMetrics(new Registry()));
  });

  afterEach(() => jest.restoreAllMocks());

  function recorderWith(repository: MemoryRepository, images: Partial<ExperimentImageStore>) {
    return new ExperimentRecorder('exp1', new Date(), repository as unknown as ExperimentsRepository, images as ExperimentImageStore, health);
  }

  /** finished() answers at once; the record is whole when `flushing` settles. */
  async function finish(recorder: ExperimentRecorder, ...args: Parameters<ExperimentRecorder['finished']>) {
    await expect(recorder.finished(...args)).resolves.toBeUndefined();
    await recorder.flushing;
  }

  it('finishes without throwing, counts the failed writes on the health check, and still names the images it showed', async () => {
    const repository = new MemoryRepository();
    repository.failing = true;
    const images = { putBase64: jest.fn(() => Promise.reject(new Error('write refused: disk full'))) };
    const recorder = recorderWith(repository, images);
    expect(recording()).toMatchObject({ status: 'up', errors: 0, lastError: null });

    recorder.stepChanged(trace('running'));
    recorder.stepChanged(trace('succeeded'));
    await expect(recorder.imageMade({ step: 'images', index: 0, image: sdImage as never })).resolves.toBe('exp1-images-0');
    recorder.storeInput(SKETCH, 0);

    await finish(recorder, 'succeeded', undefined, { result: [{ image: sdImage.image }] });
    expect(recording().status).toBe('up');
    // At least the record's writes and the two image uploads failed, and each failure was counted.
    expect(recording().errors).toBeGreaterThanOrEqual(3);
    expect(recording().lastError).toContain('write refused: disk full');
    expect(recording().lastError).toContain('exp1');
  });

  it('a write refused for a moment is tried again: the record still ends whole, and nothing is counted lost', async () => {
    const repository = new MemoryRepository();
    repository.failing = true;
    const recorder = recorderWith(repository, {});
    recorder.stepChanged(trace('running'));
    // Let the first write be tried (and refused) before the database recovers.
    await new Promise((resolve) => setImmediate(resolve));
    expect(repository.writes).toBeGreaterThanOrEqual(1);
    repository.failing = false;
    recorder.stepChanged(trace('succeeded'));
    await finish(recorder, 'failed', new ProviderError('GPT step "products" failed', 'gpt', 502, { step: 'products' }));

    expect(repository.writes).toBeGreaterThanOrEqual(2);
    expect(recording().errors).toBe(0);
    expect(repository.doc).toMatchObject({
      status: 'failed',
      error: { step: 'products', provider: 'gpt', code: 2 },
      steps: { products: { status: 'succeeded', prompt: '列出产品', template: 'paint/products', templateHash: '0123456789abcdef' } },
    });
    expect(typeof repository.doc.durationMs).toBe('number');
  });

  it('records the answer with each image it stored replaced by its id', async () => {
    const repository = new MemoryRepository();
    const images = { putBase64: jest.fn(() => Promise.resolve('stored')) };
    const recorder = recorderWith(repository, images);
    const imageId = await recorder.imageMade({ step: 'images', index: 2, image: sdImage as never });
    await finish(recorder, 'succeeded', undefined, { count: 1, result: [{ items: [{ image: sdImage.image, text: null }] }] });
    expect(recording().errors).toBe(0);
    expect(JSON.parse(repository.doc.output as string)).toEqual({ count: 1, result: [{ items: [{ image: { imageId }, text: null }] }] });
    expect(repository.doc.images).toEqual([
      expect.objectContaining({ imageId: 'exp1-images-2', step: 'images', index: 2, instance: sdImage.instance, seed: 1 }),
    ]);
    expect(images.putBase64).toHaveBeenCalledWith('exp1-images-2', 'exp1', sdImage.image, 'image/png', expect.anything());
  });

  it('answers at once when a write hangs: the participant never waits for the record', async () => {
    const repository = new MemoryRepository();
    repository.update = () => new Promise<void>(() => undefined);
    const recorder = recorderWith(repository, {});
    recorder.stepChanged(trace('running'));
    await expect(recorder.finished('succeeded')).resolves.toBeUndefined();
    const state = await Promise.race([
      recorder.flushing!.then(() => 'written'),
      new Promise((resolve) => setTimeout(() => resolve('still writing'), 20)),
    ]);
    expect(state).toBe('still writing');
  });
});

describe('ExperimentRecorder: a job\'s status and requests', () => {
  it('leaves queued when the run starts, counts the requests it answers, and ends cancelled with the reason', async () => {
    const repository = new MemoryRepository();
    const health = new RecordingHealth(new HealthIndicatorService(), new RecordMetrics(new Registry()));
    const openedAt = new Date(Date.now() - 1000);
    const recorder = new ExperimentRecorder('exp1', openedAt, repository as unknown as ExperimentsRepository, {} as ExperimentImageStore, health);
    await expect(recorder.open({ status: 'queued', startedAt: openedAt, createdAt: openedAt, requests: 1 })).resolves.toBe(true);
    await expect(recorder.opened).resolves.toBe(true);
    expect(repository.doc).toMatchObject({ status: 'queued', requests: 1 });

    recorder.started(new Date());
    recorder.requestsChanged(3);
    const error = new GenerationCancelledError('the client closed the connection');
    await recorder.finished('cancelled', error);
    await recorder.flushing;

    expect(repository.doc).toMatchObject({
      status: 'cancelled',
      requests: 3,
      createdAt: openedAt,
      error: { message: 'Generation cancelled by its caller: the client closed the connection', code: 1 },
    });
    // The run's start is when it left the queue, after the record was opened.
    expect((repository.doc.startedAt as Date).getTime()).toBeGreaterThan(openedAt.getTime());
    expect(repository.doc.durationMs as number).toBeLessThan(1000);
  });

  it('takes a duplicate on a second try of the opening write as written: the first try landed and its answer was lost', async () => {
    const repository = new MemoryRepository();
    let creates = 0;
    repository.create = async (record: Record<string, unknown>) => {
      creates += 1;
      if (creates === 1) {
        repository.doc = { ...record };
        throw Object.assign(new Error('connection reset after the write'), { code: 6 });
      }
      throw Object.assign(new Error('E11000 duplicate key error'), { code: 11000 });
    };
    const health = new RecordingHealth(new HealthIndicatorService(), new RecordMetrics(new Registry()));
    const recorder = new ExperimentRecorder('exp1', new Date(), repository as unknown as ExperimentsRepository, {} as ExperimentImageStore, health);
    await expect(recorder.open({ status: 'queued' })).resolves.toBe(true);
    recorder.started(new Date());
    await recorder.finished('succeeded', undefined, { count: 0 });
    await recorder.flushing;
    expect(creates).toBe(2);
    expect(repository.doc).toMatchObject({ status: 'succeeded' });
    expect((health.check() as unknown as { recording: { errors: number } }).recording.errors).toBe(0);
  });

  it('says the record was not opened when the database refuses it for good', async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const repository = new MemoryRepository();
    repository.failing = true;
    const health = new RecordingHealth(new HealthIndicatorService(), new RecordMetrics(new Registry()));
    const recorder = new ExperimentRecorder('exp1', new Date(), repository as unknown as ExperimentsRepository, {} as ExperimentImageStore, health);
    void recorder.open({ status: 'queued' });
    await expect(recorder.opened).resolves.toBe(false);
    jest.restoreAllMocks();
  });
});
