/**
 * What the compiler refuses in a pipeline's declaration. Each `@ts-expect-error` line must
 * fail to compile: if the types stopped refusing it, the directive itself would be the error,
 * and this file would fail the type check (ts-jest here, `tsc` in the build).
 */
import type { ImageOutcome } from './made-image';
import { defineGraph, StepInputs, StepResults } from './step-graph';

const GRAPH = defineGraph({
  ideas: { kind: 'gpt', answer: 'list', template: 't/ideas', deps: [] },
  title: { kind: 'vision', answer: 'text', template: 't/title', deps: ['ideas'] },
  images: { kind: 'sd', style: 't/style', deps: ['ideas'] },
});
type Graph = typeof GRAPH;

const complete: StepInputs<Graph> = {
  ideas: () => ({ vars: { subject: 'tea' }, count: 2 }),
  title: ({ ideas }) => ({ vars: { ideas: ideas.join('、') }, images: ['data:image/png;base64,AA=='] }),
  images: ({ ideas }) => ({ prompts: ideas }),
};

describe('step types', () => {
  it('accept a handler per graph step, each reading its dependencies', async () => {
    expect(await complete.ideas({})).toEqual({ vars: { subject: 'tea' }, count: 2 });
    expect(await complete.title({ ideas: ['a', 'b'] })).toMatchObject({ vars: { ideas: 'a、b' } });
    expect(await complete.images({ ideas: ['a'] })).toEqual({ prompts: ['a'] });
  });

  it('refuse a handler for a step that is not in the graph', () => {
    const extra: StepInputs<Graph> = {
      ...complete,
      // @ts-expect-error `summary` is not a step of the graph.
      summary: () => ({ vars: {}, count: 1 }),
    };
    expect(Object.keys(extra)).toContain('summary');
  });

  it('refuse a graph step without a handler', () => {
    // @ts-expect-error `images` has no handler.
    const missing: StepInputs<Graph> = { ideas: complete.ideas, title: complete.title };
    expect(Object.keys(missing)).not.toContain('images');
  });

  it('refuse a handler that reads a result of a step it does not depend on', () => {
    const undeclared: StepInputs<Graph> = {
      ...complete,
      // @ts-expect-error `images` depends on `ideas` only, not on `title`.
      images: ({ title }) => ({ prompts: [title] }),
    };
    expect(typeof undeclared.images).toBe('function');
  });

  it('refuse what a step of another kind is asked', () => {
    const wrong: StepInputs<Graph> = {
      // @ts-expect-error a list step must say how many items.
      ideas: () => ({ vars: {} }),
      title: complete.title,
      // @ts-expect-error an image step is asked prompts, not template variables.
      images: () => ({ vars: {}, count: 1 }),
    };
    expect(Object.keys(wrong)).toHaveLength(3);
  });

  it('type each result by its step: a list, a text, images', () => {
    const results: StepResults<Graph> = { ideas: ['a'], title: 'A', images: [] as ImageOutcome[] };
    // @ts-expect-error a text step answers one string.
    const notText: StepResults<Graph>['title'] = ['A'];
    // @ts-expect-error an image step answers image outcomes.
    const notImages: StepResults<Graph>['images'] = ['a'];
    expect([results.title, notText, notImages]).toEqual(['A', ['A'], ['a']]);
  });

  it('refuse, when compiled and when loaded, a dependency on a step that is not in the graph', () => {
    expect(() =>
      defineGraph({
        ideas: { kind: 'gpt', answer: 'list', template: 't/ideas', deps: [] },
        // @ts-expect-error `idea` is not a step of the graph.
        images: { kind: 'sd', style: 't/style', deps: ['idea'] },
      }),
    ).toThrow(/"images" depends on unknown step "idea"/);
  });
});
