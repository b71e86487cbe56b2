import { RapidDivergencePipeline } from '../apps/paint/pipelines/rapid-divergence.pipeline';
import type { GraphSpec } from '../engine/step-graph';
import type { PipelineCreatives } from '../engine/generation-pipeline';
import { RecordedJob, replayEvents } from './job-replay';

const pipeline = new RapidDivergencePipeline();
const input = { task: '设计一款运动辅助产品', num: 2 };
const recorded = { graph: pipeline.graph as GraphSpec, creatives: pipeline.creatives as PipelineCreatives<GraphSpec, object>, input };
const t = (ms: number) => new Date(Date.UTC(2026, 10, 20, 9, 30, 0, ms));
const step = (name: string, kind: 'gpt' | 'sd', start: number, end: number | undefined, items?: string[], status = 'succeeded') => ({
  name,
  kind,
  status: end === undefined ? 'running' : status,
  startedAt: t(start),
  ...(end === undefined ? {} : { endedAt: t(end) }),
  ...(items ? { items } : {}),
});

/** A type-0 record of two creatives: image 1 made before the hints, image 0 after them. */
function record(overrides: Partial<RecordedJob> = {}): RecordedJob {
  return {
    status: 'succeeded',
    steps: [
      step('products', 'gpt', 0, 10, ['a', 'b']),
      step('scenes', 'gpt', 10, 20, ['s', 't']),
      step('abstracts', 'gpt', 10, 40, ['h0', 'h1']),
      step('sdPrompts', 'gpt', 20, 30, ['x', 'y']),
      step('images', 'sd', 30, 50, ['x', 'y']),
    ],
    images: [
      { imageId: 'j-images-1', step: 'images', index: 1, madeAt: t(35), image: 'aW1hZ2Ux' },
      { imageId: 'j-images-0', step: 'images', index: 0, madeAt: t(45), image: 'aW1hZ2Uw' },
    ],
    output: { count: 2, result: ['…'] },
    ...overrides,
  };
}

const names = (events: ReturnType<typeof replayEvents>) =>
  events.map((event) => {
    const data = event.data as unknown as Record<string, unknown>;
    return event.event === 'step' ? `${data.name}:${data.status}` : event.event === 'done' ? 'done' : event.event === 'failed' ? 'failed' : `${event.event}${data.index}`;
  });

describe('replayEvents', () => {
  it('tells steps, images and creatives in the order of their recorded times, then done, numbered from 1', () => {
    const events = replayEvents(record(), recorded);
    expect(names(events)).toEqual([
      'products:started',
      'products:succeeded',
      'scenes:started',
      'abstracts:started',
      'scenes:succeeded',
      'sdPrompts:started',
      'sdPrompts:succeeded',
      'images:started',
      'image1',
      // Creative 1 waited for the hints; creative 0 follows its own image.
      'abstracts:succeeded',
      'creative1',
      'image0',
      'creative0',
      'images:succeeded',
      'done',
    ]);
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
    expect(events[0].data).toEqual({ name: 'products', kind: 'gpt', status: 'started', at: '2026-11-20T09:30:00.000Z' });
    expect(events.find((event) => event.event === 'image')!.data).toEqual({ step: 'images', index: 1, imageId: 'j-images-1', image: 'aW1hZ2Ux' });
    const creative0 = events.find((event) => event.event === 'creative' && event.data.index === 0)!;
    expect(creative0.data).toEqual({
      index: 0,
      creative: {
        type: 0,
        displayType: 'sequence',
        items: [
          { type: 'abstractImage', text: null, image: 'aW1hZ2Uw', combinations: null },
          { type: 'abstractText', text: 'h0', image: null, combinations: null },
        ],
      },
    });
    expect(events.at(-1)).toEqual({ id: events.length, event: 'done', data: { data: { count: 2, result: ['…'] } } });
  });

  it('ends a failed or cancelled job with its code and message, and an interrupted one as the service\'s failure', () => {
    const failed = replayEvents(record({ status: 'cancelled', output: undefined, error: { code: 1, message: 'Generation cancelled by its caller: gone' } }), recorded);
    expect(failed.at(-1)).toMatchObject({ event: 'failed', data: { code: 1, message: 'Generation cancelled by its caller: gone' } });
    const unexpected = replayEvents(record({ status: 'failed', output: undefined, error: { message: 'TypeError: x is undefined' } }));
    expect(unexpected.at(-1)).toMatchObject({ event: 'failed', data: { code: 3, message: expect.stringMatching(/^Internal server error/) } });
    expect(unexpected.at(-1)!.data).not.toMatchObject({ message: expect.stringContaining('TypeError') });
    const interrupted = replayEvents(record({ status: 'interrupted', output: undefined, steps: [step('products', 'gpt', 0, undefined)], images: [] }));
    expect(names(interrupted)).toEqual(['products:started', 'failed']);
    expect(interrupted[1].data).toMatchObject({ code: 3, message: expect.stringMatching(/^Interrupted/) });
  });

  it('tells a failed step, and no end for a job still queued or running elsewhere', () => {
    const steps = [step('products', 'gpt', 0, 10, undefined, 'failed')];
    expect(names(replayEvents(record({ status: 'running', steps, images: [] }), recorded))).toEqual(['products:started', 'products:failed']);
    expect(replayEvents(record({ status: 'queued', steps: [], images: [] }))).toEqual([]);
  });

  it('leaves out an image no longer stored, and so its creative; without the pipeline, every creative', () => {
    const images = record().images.map((image) => (image.index === 0 ? { ...image, image: undefined } : image));
    expect(names(replayEvents(record({ images }), recorded)).filter((name) => /^(image|creative)\d/.test(name))).toEqual(['image1', 'creative1']);
    expect(names(replayEvents(record())).filter((name) => name.startsWith('creative'))).toEqual([]);
  });

  it('places an image of an older record, which has no time of its own, at its step\'s end', () => {
    const images = record().images.map(({ madeAt: _madeAt, ...image }) => image);
    const order = names(replayEvents(record({ images }), recorded));
    expect(order.indexOf('image1')).toBeGreaterThan(order.indexOf('abstracts:succeeded'));
    expect(order.indexOf('image0')).toBeLessThan(order.indexOf('images:succeeded'));
  });
});
