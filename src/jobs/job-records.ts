import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { NotFoundError } from '../common/errors';
import { proveImage } from '../common/image-bytes';
import { withoutPrototypeKeys } from '../common/prototype-keys';
import { AppRegistry } from '../dispatch/app-registry.service';
import type { GraphSpec } from '../engine/step-graph';
import type { PipelineCreatives } from '../engine/generation-pipeline';
import { ExperimentsService, ExperimentView } from '../experiments/experiments.service';
import type { JobDto } from './dto/job.dto';
import { jobFailure } from './job-failure';
import type { JobEvent } from './job-event';
import { RecordedCreatives, replayEvents } from './job-replay';

const ENDED_WELL = new Set(['succeeded', 'partly-succeeded']);
const FAILED = new Set(['failed', 'cancelled', 'interrupted']);

/**
 * `value` with each `{ imageId }` the record put in place of an image replaced by what `inline`
 * gives for it (an image no longer stored keeps its reference).
 */
function withImages(value: unknown, inline: (imageId: string) => string | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => withImages(item, inline));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1 && keys[0] === 'imageId' && typeof object.imageId === 'string') {
    const image = inline(object.imageId);
    if (image !== undefined) return image;
  }
  return Object.fromEntries(keys.map((key) => [key, withImages(object[key], inline)]));
}

/**
 * A job that is not running in this process, read from its experiment record (the one place a
 * job is kept): its view, and its events replayed. Images come back inlined as base64, as
 * /generate answers them.
 */
@Injectable()
export class JobRecords {
  constructor(
    private readonly experiments: ExperimentsService,
    private readonly registry: AppRegistry,
  ) {}

  async view(id: string): Promise<JobDto> {
    const record = await this.read(id);
    const images = ENDED_WELL.has(record.status) ? await this.images(record, ['output']) : new Map<string, Buffer>();
    return {
      jobId: id,
      app: record.appId,
      type: record.type,
      status: record.status,
      createdAt: record.createdAt ?? record.startedAt,
      startedAt: record.status === 'queued' ? null : record.startedAt,
      endedAt: record.endedAt ?? null,
      requests: record.requests ?? 1,
      ...(ENDED_WELL.has(record.status) ? { data: withImages(record.output, (imageId) => images.get(imageId)?.toString('base64')) as object } : {}),
      ...(FAILED.has(record.status) ? { error: jobFailure(record.error, record.status) } : {}),
    };
  }

  /** The job's status as its record says, and the node that runs (or ran) it. */
  async owner(id: string): Promise<{ status: string; nodeId?: string }> {
    const { status, nodeId } = await this.read(id);
    return { status, nodeId };
  }

  async replay(id: string): Promise<JobEvent[]> {
    const record = await this.read(id);
    const images = await this.images(record, ['generated', 'input']);
    const base64 = (imageId: string) => images.get(imageId)?.toString('base64');
    return replayEvents(
      {
        status: record.status,
        steps: record.steps,
        images: record.images.filter((image) => image.step !== 'input').map((image) => ({ ...image, image: base64(image.imageId) })),
        output: withImages(record.output, base64),
        error: record.error,
      },
      this.creatives(record, (imageId) => {
        const bytes = images.get(imageId);
        const proved = bytes && proveImage(bytes);
        return proved ? `data:${proved.mime};base64,${bytes.toString('base64')}` : undefined;
      }),
    );
  }

  private async read(id: string): Promise<ExperimentView> {
    try {
      return await this.experiments.get(id);
    } catch (error) {
      if (error instanceof NotFoundError) throw new NotFoundError(`No job ${id}.`);
      throw error;
    }
  }

  /** The stored images a view or replay needs: those of the answer, the generated ones, the participant's sketches. */
  private images(record: ExperimentView, which: ('output' | 'generated' | 'input')[]): Promise<Map<string, Buffer>> {
    const kept = record.images.filter((image) => !image.removed);
    const ids = new Set<string>();
    if (which.includes('output') || which.includes('generated')) kept.filter((image) => image.step !== 'input').forEach((image) => ids.add(image.imageId));
    if (which.includes('input')) kept.filter((image) => image.step === 'input').forEach((image) => ids.add(image.imageId));
    return ids.size ? this.experiments.imagesOf(String(record._id), [...ids]) : Promise.resolve(new Map());
  }

  /** The pipeline's creatives and the inputs as it read them (sketches as data URLs), when its app still serves it. */
  private creatives(record: ExperimentView, sketch: (imageId: string) => string | undefined): RecordedCreatives | undefined {
    let pipeline;
    try {
      pipeline = this.registry.resolve(record.appId, record.type).pipeline;
    } catch {
      return undefined;
    }
    if (!pipeline.creatives) return undefined;
    const inputs = withImages(record.inputs, sketch) as Record<string, unknown>;
    return {
      graph: pipeline.graph as GraphSpec,
      creatives: pipeline.creatives as PipelineCreatives<GraphSpec, object>,
      input: plainToInstance(pipeline.input, withoutPrototypeKeys(inputs)) as object,
    };
  }
}
