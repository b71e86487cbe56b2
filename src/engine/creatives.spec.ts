import { ProviderError } from '../common/errors';
import { CreativeTracker, finalCreatives, madeImage } from './creatives';
import type { PipelineCreatives } from './generation-pipeline';
import type { ImageOutcome, MadeImage } from './made-image';
import { defineGraph } from './step-graph';

const GRAPH = defineGraph({
  texts: { kind: 'gpt', answer: 'list', template: 't/texts', deps: [] },
  prompts: { kind: 'gpt', answer: 'list', template: 't/prompts', deps: [] },
  pictures: { kind: 'sd', style: 't/style', deps: ['prompts'] },
  renders: { kind: 'sd', style: 't/style', deps: ['prompts'] },
});
type Graph = typeof GRAPH;

const image = (name: string): MadeImage => ({ image: name, parameters: { prompt: name }, instance: 'http://sd', seed: 1, info: {}, durationMs: 1 });
const made = (name: string): ImageOutcome => ({ ok: true, image: image(name) });
const failed = (reason: string): ImageOutcome => ({ ok: false, error: new Error(reason) });

/** A creative of a text, a picture and a render, all of slot `index`. */
const CREATIVES: PipelineCreatives<Graph, { num: number }, string> = {
  count: ({ num }) => num,
  build: (index, { texts, pictures, renders }) => {
    const picture = madeImage(pictures, index);
    const render = madeImage(renders, index);
    return texts && picture && render ? `${texts[index]}|${picture.image}|${render.image}` : undefined;
  },
};

function track(num = 3) {
  const reported: [number, unknown][] = [];
  const tracker = new CreativeTracker(CREATIVES, { num }, (index, creative) =>
    reported.push([index, creative]),
  );
  return { tracker, reported };
}

describe('madeImage', () => {
  it('is the image of a slot that was made, and nothing for an empty or failed slot', () => {
    const slots = [made('a'), undefined, failed('stalled')];
    expect(madeImage(slots, 0)?.image).toBe('a');
    expect(madeImage(slots, 1)).toBeUndefined();
    expect(madeImage(slots, 2)).toBeUndefined();
    expect(madeImage(slots, 7)).toBeUndefined();
    expect(madeImage(undefined, 0)).toBeUndefined();
  });
});

describe('CreativeTracker', () => {
  it('reports a creative the moment its last part arrives, by its own images, before the image steps end', () => {
    const { tracker, reported } = track();
    tracker.stepDone('texts', ['t0', 't1', 't2']);
    tracker.imageMade('pictures', 1, image('p1'));
    expect(reported).toEqual([]);
    tracker.imageMade('renders', 1, image('r1'));
    expect(reported).toEqual([[1, 't1|p1|r1']]);
    tracker.imageMade('renders', 0, image('r0'));
    tracker.imageMade('pictures', 0, image('p0'));
    expect(reported).toEqual([
      [1, 't1|p1|r1'],
      [0, 't0|p0|r0'],
    ]);
  });

  it('waits for a GPT step that ends after the images', () => {
    const { tracker, reported } = track(2);
    tracker.imageMade('pictures', 0, image('p0'));
    tracker.imageMade('renders', 0, image('r0'));
    tracker.imageMade('pictures', 1, image('p1'));
    tracker.imageMade('renders', 1, image('r1'));
    expect(reported).toEqual([]);
    tracker.stepDone('texts', ['t0', 't1']);
    expect(reported.map(([index]) => index)).toEqual([0, 1]);
  });

  it('reports each creative once, however many parts arrive after it', () => {
    const { tracker, reported } = track(1);
    tracker.stepDone('texts', ['t0']);
    tracker.imageMade('pictures', 0, image('p0'));
    tracker.imageMade('renders', 0, image('r0'));
    tracker.stepDone('pictures', [made('p0')]);
    tracker.stepDone('renders', [made('r0')]);
    tracker.stepDone('prompts', ['x']);
    expect(reported).toEqual([[0, 't0|p0|r0']]);
  });

  it('never reports a creative one of whose images failed, nor a slot beyond the count', () => {
    const { tracker, reported } = track(2);
    tracker.stepDone('texts', ['t0', 't1', 't2']);
    tracker.stepDone('pictures', [failed('refused'), made('p1'), made('p2')]);
    tracker.stepDone('renders', [made('r0'), made('r1'), made('r2')]);
    expect(reported).toEqual([[1, 't1|p1|r1']]);
  });
});

describe('finalCreatives', () => {
  it('builds the made creatives in slot order with the same builder', () => {
    const pictures = [made('p0'), failed('stalled'), made('p2')];
    const renders = [made('r0'), made('r1'), made('r2')];
    const parts = { texts: ['t0', 't1', 't2'], prompts: ['a', 'b', 'c'], pictures, renders };
    expect(finalCreatives(CREATIVES, [pictures, renders], parts, { num: 3 })).toEqual(['t0|p0|r0', 't2|p2|r2']);
  });

  it('fails with the first image failure when no creative could be made', () => {
    const first = new ProviderError('Image step "pictures" did not finish within the deadline', 'sd', 504, { step: 'pictures' });
    const pictures: ImageOutcome[] = [{ ok: false, error: first }];
    const renders = [made('r0')];
    expect(() => finalCreatives(CREATIVES, [pictures, renders], { texts: ['t0'], pictures, renders }, { num: 1 })).toThrow(first);
  });

  it('refuses a builder that cannot build a creative whose images were all made', () => {
    const pictures = [made('p0')];
    const renders = [made('r0')];
    expect(() => finalCreatives(CREATIVES, [pictures, renders], { pictures, renders }, { num: 1 })).toThrow(/Creative 0 lacks a part/);
  });
});
