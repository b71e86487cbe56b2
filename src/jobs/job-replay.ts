import { CreativeTracker } from '../engine/creatives';
import type { PipelineCreatives } from '../engine/generation-pipeline';
import type { MadeImage } from '../engine/made-image';
import type { GraphSpec, StepResult } from '../engine/step-graph';
import { jobFailure } from './job-failure';
import type { JobEvent, JobEventData, JobEventName } from './job-event';

type Time = Date | string;

/** What a job's record holds, as the replay reads it. */
export interface RecordedJob {
  status: string;
  steps: { name: string; kind: 'gpt' | 'vision' | 'sd'; status: string; startedAt: Time; endedAt?: Time; items?: string[] }[];
  /** The images it made (not the participant's sketches), with their base64 when still stored. */
  images: { imageId: string; step: string; index: number; madeAt?: Time; image?: string }[];
  /** The answer, images inlined. */
  output?: unknown;
  error?: { code?: number; message: string };
}

/** The pipeline's creatives, to rebuild them from the recorded parts. */
export interface RecordedCreatives {
  graph: GraphSpec;
  creatives: PipelineCreatives<GraphSpec, object>;
  input: object;
}

interface Moment {
  at: number;
  /** Appends this moment's events. */
  play(): void;
}

const millis = (time: Time) => new Date(time).getTime();

/**
 * A finished job's events as its record tells them, for a stream asked for once its live log
 * was dropped: each step's start and end, each stored image, each creative as soon as the
 * recorded parts complete it (rebuilt with the pipeline's own builder), then `done` or `failed`.
 * Events are in the order of their recorded times and numbered from 1 afresh. `job.steps` must
 * list each step after its dependencies, as the experiment's view does.
 */
export function replayEvents(job: RecordedJob, recorded?: RecordedCreatives): JobEvent[] {
  const events: JobEvent[] = [];
  const emit = <K extends JobEventName>(event: K, data: JobEventData[K]): void => {
    events.push({ id: events.length + 1, event, data } as JobEvent);
  };
  const tracker = recorded && new CreativeTracker(recorded.creatives, recorded.input, (index, creative) => emit('creative', { index, creative: creative as object }));
  // Each step's start, images and end, steps after their dependencies: what happened within one
  // millisecond keeps this order through the stable sort by time below.
  const moments: Moment[] = job.steps.flatMap((step) => {
    const own: Moment[] = [
      { at: millis(step.startedAt), play: () => emit('step', { name: step.name, kind: step.kind, status: 'started', at: new Date(step.startedAt).toISOString() }) },
    ];
    const images = job.images.filter((image) => image.step === step.name && image.image !== undefined);
    const fallback = step.endedAt ?? step.startedAt;
    for (const image of images.sort((a, b) => millis(a.madeAt ?? fallback) - millis(b.madeAt ?? fallback) || a.index - b.index)) {
      const made = { image: image.image!, imageId: image.imageId } as MadeImage;
      own.push({
        at: millis(image.madeAt ?? fallback),
        play: () => {
          emit('image', { step: image.step, index: image.index, imageId: image.imageId, image: made.image });
          tracker?.imageMade(image.step, image.index, made);
        },
      });
    }
    const { status, endedAt } = step;
    if (endedAt !== undefined && (status === 'succeeded' || status === 'failed')) {
      own.push({
        at: millis(endedAt),
        play: () => {
          emit('step', { name: step.name, kind: step.kind, status, at: new Date(endedAt).toISOString() });
          const spec = recorded?.graph[step.name];
          if (status === 'succeeded' && spec && spec.kind !== 'sd') tracker?.stepDone(step.name, resultOf(spec, step.items ?? []));
        },
      });
    }
    return own;
  });
  moments.sort((a, b) => a.at - b.at).forEach((moment) => moment.play());
  if (job.status === 'succeeded' || job.status === 'partly-succeeded') emit('done', { data: job.output as object });
  else if (job.status !== 'queued' && job.status !== 'running') emit('failed', jobFailure(job.error, job.status));
  return events;
}

/** A GPT step's recorded items as the step answered them: one text, or the list. */
function resultOf(spec: GraphSpec[string], items: string[]): StepResult {
  return spec.kind !== 'sd' && spec.answer === 'text' ? items[0] : items;
}
