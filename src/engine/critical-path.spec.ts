import { CONVERGENCE_COMBINATION_GRAPH } from '../apps/paint/pipelines/convergence-combination.pipeline';
import { RAPID_DIVERGENCE_GRAPH } from '../apps/paint/pipelines/rapid-divergence.pipeline';
import { criticalPathMs } from './critical-path';
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
