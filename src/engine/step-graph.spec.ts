import { CONVERGENCE_COMBINATION_GRAPH } from '../apps/paint/pipelines/convergence-combination.pipeline';
import { RAPID_DIVERGENCE_GRAPH } from '../apps/paint/pipelines/rapid-divergence.pipeline';
import { criticalPathMs, defineGraph, executeGraph, StepHandlers } from './step-graph';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run (no timer involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** a → b, a → c, (b, c) → d: b and c are independent. */
const DIAMOND = defineGraph({
  a: { kind: 'gpt', template: 't/a', deps: [] },
  b: { kind: 'gpt', template: 't/b', deps: ['a'] },
  c: { kind: 'gpt', template: 't/c', deps: ['a'] },
  d: { kind: 'sd', style: 'scene', deps: ['b', 'c'] },
});

type DiamondResults = { a: string; b: string; c: string; d: string };

/** Handlers that log when each step starts and finish only when the test says so. */
function controlledHandlers() {
  const started: string[] = [];
  const gates = { a: deferred<string>(), b: deferred<string>(), c: deferred<string>(), d: deferred<string>() };
  const seen: Partial<Record<keyof DiamondResults, DiamondResults>> = {};
  const handler = (name: keyof DiamondResults) => (done: DiamondResults) => {
    started.push(name);
    seen[name] = { ...done };
    return gates[name].promise;
  };
  const handlers: StepHandlers<DiamondResults> = { a: handler('a'), b: handler('b'), c: handler('c'), d: handler('d') };
  return { started, gates, seen, handlers };
}

describe('step-graph', () => {
  describe('executeGraph', () => {
    it('starts a step only after its dependencies, and independent steps together', async () => {
      const { started, gates, seen, handlers } = controlledHandlers();
      const run = executeGraph<DiamondResults>(DIAMOND, handlers);

      await settle();
      expect(started).toEqual(['a']);

      gates.a.resolve('A');
      await settle();
      // b and c both run while neither has finished.
      expect(started.sort()).toEqual(['a', 'b', 'c']);
      expect(seen.b).toMatchObject({ a: 'A' });
      expect(seen.c).toMatchObject({ a: 'A' });

      gates.c.resolve('C');
      await settle();
      expect(started).not.toContain('d');

      gates.b.resolve('B');
      await settle();
      expect(started).toContain('d');
      expect(seen.d).toMatchObject({ a: 'A', b: 'B', c: 'C' });

      gates.d.resolve('D');
      await expect(run).resolves.toEqual({ a: 'A', b: 'B', c: 'C', d: 'D' });
      // Each step ran exactly once.
      expect(started).toHaveLength(4);
    });

    it('rejects with the error of a failing step and never starts its dependents', async () => {
      const { started, gates, handlers } = controlledHandlers();
      const run = executeGraph<DiamondResults>(DIAMOND, handlers);
      const outcome = run.then(
        () => undefined,
        (error: Error) => error,
      );
      gates.a.resolve('A');
      await settle();
      gates.b.reject(new Error('b broke'));
      await expect(outcome).resolves.toEqual(new Error('b broke'));
      gates.c.resolve('C');
      await settle();
      expect(started).not.toContain('d');
    });

    it('rejects when a step with no dependencies throws', async () => {
      const graph = defineGraph({ only: { kind: 'gpt', template: 't/only', deps: [] } });
      await expect(
        executeGraph<{ only: string }>(graph, { only: () => Promise.reject(new Error('no answer')) }),
      ).rejects.toThrow('no answer');
    });
  });

  describe('defineGraph', () => {
    it('refuses a dependency on an unknown step, naming both', () => {
      expect(() =>
        defineGraph({
          products: { kind: 'gpt', template: 'paint/products', deps: [] },
          scenes: { kind: 'gpt', template: 'paint/scenes', deps: ['produkts'] },
        }),
      ).toThrow(/"scenes".*"produkts"/);
    });

    it('refuses a GPT step without a template and an image step without a style', () => {
      expect(() => defineGraph({ a: { kind: 'gpt', deps: [] } })).toThrow(/"a".*template/);
      expect(() => defineGraph({ a: { kind: 'vision', deps: [] } })).toThrow(/template/);
      expect(() => defineGraph({ i: { kind: 'sd', deps: [] } })).toThrow(/"i".*style/);
    });

    it('returns the graph it was given', () => {
      const graph = { a: { kind: 'gpt' as const, template: 't/a', deps: [] } };
      expect(defineGraph(graph)).toBe(graph);
    });
  });

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
      expect(criticalPathMs(DIAMOND, { gptMs: 100, sdMs: 1000, instances: 1, images: {} })).toBe(200);
    });

    it('grows with fewer instances', () => {
      expect(criticalPathMs(RAPID_DIVERGENCE_GRAPH, { gptMs: 300, sdMs: 1000, instances: 1, images: { images: 6 } })).toBe(6900);
      expect(criticalPathMs(RAPID_DIVERGENCE_GRAPH, { gptMs: 300, sdMs: 1000, instances: 6, images: { images: 6 } })).toBe(1900);
    });
  });
});
