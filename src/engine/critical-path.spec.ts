import { CONVERGENCE_COMBINATION_GRAPH } from '../apps/paint/pipelines/convergence-combination.pipeline';
import { RAPID_DIVERGENCE_GRAPH } from '../apps/paint/pipelines/rapid-divergence.pipeline';
import { criticalPathMs, firstCreativeMs, schedule } from './critical-path';
import { defineGraph } from './step-graph';

describe('criticalPathMs', () => {
  it('type 0 (GPT 300 ms, SD 1 s, 3 instances, 6 images) is 2900 ms', () => {
    // products, scenes, sdPrompts (900 ms), then 6 images on 3 instances in two rounds.
    expect(criticalPathMs(RAPID_DIVERGENCE_GRAPH, { gptMs: 300, sdMs: 1000, instances: 3, images: { images: 6 } })).toBe(2900);
  });

  it('type 3 with two chains of 3 images each is 2600 ms', () => {
    // Both chains' prompts are known at 600 ms; their 6 images share 3 instances.
    expect(
      criticalPathMs(CONVERGENCE_COMBINATION_GRAPH, {
        gptMs: 300,
        sdMs: 1000,
        instances: 3,
        images: { sceneImages: 3, productImages: 3 },
      }),
    ).toBe(2600);
  });

  it('is the longest GPT chain when there are no images', () => {
    const diamond = defineGraph({
      a: { kind: 'gpt', answer: 'text', template: 't/a', deps: [] },
      b: { kind: 'gpt', answer: 'text', template: 't/b', deps: ['a'] },
      c: { kind: 'gpt', answer: 'text', template: 't/c', deps: ['a'] },
      d: { kind: 'sd', style: 't/scene', deps: ['b', 'c'] },
    });
    expect(criticalPathMs(diamond, { gptMs: 100, sdMs: 1000, instances: 1, images: {} })).toBe(200);
  });

  it('grows with fewer instances', () => {
    expect(criticalPathMs(RAPID_DIVERGENCE_GRAPH, { gptMs: 300, sdMs: 1000, instances: 1, images: { images: 6 } })).toBe(6900);
    expect(criticalPathMs(RAPID_DIVERGENCE_GRAPH, { gptMs: 300, sdMs: 1000, instances: 6, images: { images: 6 } })).toBe(1900);
  });
});

describe('schedule', () => {
  it('gives each step and each image the earliest time it can finish', () => {
    const { ready, steps, images } = schedule(RAPID_DIVERGENCE_GRAPH, { gptMs: 300, sdMs: 1000, instances: 3, images: { images: 6 } });
    expect(steps).toEqual({ products: 300, scenes: 600, abstracts: 600, sdPrompts: 900, images: 2900 });
    expect(ready.images).toBe(900);
    expect(images.images).toEqual([1900, 1900, 1900, 2900, 2900, 2900]);
  });

  it('refuses a graph with a cycle', () => {
    const cyclic = { a: { kind: 'gpt', answer: 'text', template: 't/a', deps: ['b'] }, b: { kind: 'gpt', answer: 'text', template: 't/b', deps: ['a'] } } as const;
    expect(() => schedule(cyclic, { gptMs: 1, sdMs: 1, instances: 1, images: {} })).toThrow(/cycle/);
  });
});

describe('firstCreativeMs', () => {
  const latencies = { gptMs: 300, sdMs: 1000, instances: 3 };

  it('type 0: the first three images end with the first wave, after their hints', () => {
    const shape = { count: 6, parts: ['images', 'abstracts'] };
    expect(firstCreativeMs(RAPID_DIVERGENCE_GRAPH, { ...latencies, images: { images: 6 } }, shape)).toBe(1900);
  });

  it("type 3: a creative's scene and product can be made first, side by side", () => {
    const shape = { count: 3, parts: ['sceneImages', 'productImages', 'concretes'] };
    const images = { sceneImages: 3, productImages: 3 };
    expect(firstCreativeMs(CONVERGENCE_COMBINATION_GRAPH, { ...latencies, images }, shape)).toBe(1600);
    // On one instance its two images take turns.
    expect(firstCreativeMs(CONVERGENCE_COMBINATION_GRAPH, { ...latencies, instances: 1, images }, shape)).toBe(2600);
  });

  it('waits for a GPT part that ends after the images', () => {
    const graph = defineGraph({
      prompts: { kind: 'gpt', answer: 'list', template: 't/p', deps: [] },
      pictures: { kind: 'sd', style: 't/s', deps: ['prompts'] },
      a: { kind: 'gpt', answer: 'list', template: 't/a', deps: [] },
      b: { kind: 'gpt', answer: 'list', template: 't/b', deps: ['a'] },
      c: { kind: 'gpt', answer: 'list', template: 't/c', deps: ['b'] },
      d: { kind: 'gpt', answer: 'list', template: 't/d', deps: ['c'] },
      e: { kind: 'gpt', answer: 'list', template: 't/e', deps: ['d'] },
    });
    expect(firstCreativeMs(graph, { gptMs: 300, sdMs: 1000, instances: 1, images: { pictures: 2 } }, { count: 2, parts: ['pictures', 'e'] })).toBe(1500);
  });
});
