import { defineGraph, executeGraph, StepResult } from './step-graph';

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
  a: { kind: 'gpt', answer: 'text', template: 't/a', deps: [] },
  b: { kind: 'gpt', answer: 'text', template: 't/b', deps: ['a'] },
  c: { kind: 'gpt', answer: 'text', template: 't/c', deps: ['a'] },
  d: { kind: 'sd', style: 't/scene', deps: ['b', 'c'] },
});

type Step = keyof typeof DIAMOND;

/** Steps that log when they start and what they were given, and finish only when the test says so. */
function controlledSteps() {
  const started: Step[] = [];
  const gates = { a: deferred<string>(), b: deferred<string>(), c: deferred<string>(), d: deferred<string>() };
  const seen: Partial<Record<Step, Record<string, StepResult>>> = {};
  const run = (name: string, done: Record<string, StepResult>) => {
    started.push(name as Step);
    seen[name as Step] = { ...done };
    return gates[name as Step].promise;
  };
  return { started, gates, seen, run };
}

describe('step-graph', () => {
  describe('executeGraph', () => {
    it('starts a step only after its dependencies, and independent steps together, each given its dependencies only', async () => {
      const { started, gates, seen, run } = controlledSteps();
      const running = executeGraph(DIAMOND, run);

      await settle();
      expect(started).toEqual(['a']);
      expect(seen.a).toEqual({});

      gates.a.resolve('A');
      await settle();
      // b and c both run while neither has finished.
      expect([...started].sort()).toEqual(['a', 'b', 'c']);
      expect(seen.b).toEqual({ a: 'A' });
      expect(seen.c).toEqual({ a: 'A' });

      gates.c.resolve('C');
      await settle();
      expect(started).not.toContain('d');

      gates.b.resolve('B');
      await settle();
      expect(started).toContain('d');
      // Not `a`: d does not depend on it.
      expect(seen.d).toEqual({ b: 'B', c: 'C' });

      gates.d.resolve('D');
      await expect(running).resolves.toEqual({ a: 'A', b: 'B', c: 'C', d: 'D' });
      // Each step ran exactly once.
      expect(started).toHaveLength(4);
    });

    it('rejects with the error of a failing step and never starts its dependents', async () => {
      const { started, gates, run } = controlledSteps();
      const outcome = executeGraph(DIAMOND, run).then(
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
      const graph = defineGraph({ only: { kind: 'gpt', answer: 'list', template: 't/only', deps: [] } });
      await expect(executeGraph(graph, () => Promise.reject(new Error('no answer')))).rejects.toThrow('no answer');
    });
  });

  describe('defineGraph', () => {
    // Graphs built at run time (or in JavaScript) escape the compiler's checks (see step-types.spec): these are refused when loaded.
    const loose = (graph: object) => () => defineGraph(graph as never);

    it('refuses a dependency on an unknown step, naming both', () => {
      expect(
        loose({
          products: { kind: 'gpt', answer: 'list', template: 'paint/products', deps: [] },
          scenes: { kind: 'gpt', answer: 'list', template: 'paint/scenes', deps: ['produkts'] },
        }),
      ).toThrow(/"scenes".*"produkts"/);
    });

    it('refuses a GPT step without a template or an answer, and an image step without a style', () => {
      expect(loose({ a: { kind: 'gpt', answer: 'list', deps: [] } })).toThrow(/"a".*template/);
      expect(loose({ a: { kind: 'vision', answer: 'text', deps: [] } })).toThrow(/template/);
      expect(loose({ a: { kind: 'gpt', template: 't/a', deps: [] } })).toThrow(/"a".*"list" or "text"/);
      expect(loose({ i: { kind: 'sd', deps: [] } })).toThrow(/"i".*style/);
    });

    it('returns the graph it was given', () => {
      const graph = { a: { kind: 'gpt' as const, answer: 'list' as const, template: 't/a', deps: [] } };
      expect(defineGraph(graph)).toBe(graph);
    });
  });
});
