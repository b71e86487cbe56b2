import type { StepRecord } from './experiment.schema';
import { orderSteps } from './experiments.service';

const T0 = Date.parse('2026-11-20T10:00:00Z');

function step(name: string, deps: string[], startedAfterMs: number): StepRecord {
  return { name, kind: 'gpt', deps, attempts: [], startedAt: new Date(T0 + startedAfterMs), status: 'succeeded' };
}

/** Record steps keyed by name, inserted in the given order (as a database may return them). */
function keyed(...steps: StepRecord[]): Record<string, StepRecord> {
  return Object.fromEntries(steps.map((s) => [s.name, s]));
}

function expectDepsFirst(ordered: StepRecord[]): void {
  const position = new Map(ordered.map((s, index) => [s.name, index]));
  for (const s of ordered) {
    for (const dep of s.deps) {
      if (position.has(dep)) expect(position.get(dep)!).toBeLessThan(position.get(s.name)!);
    }
  }
}

describe('orderSteps', () => {
  it('returns every step once, each after its dependencies', () => {
    // The type-1 graph, stored in an order unrelated to the graph.
    const steps = keyed(
      step('concretes', ['products'], 30),
      step('images', ['sdPrompts'], 50),
      step('abstracts', ['products'], 31),
      step('name', [], 0),
      step('sdPrompts', ['scenes'], 40),
      step('scenes', ['products'], 29),
      step('products', ['name'], 10),
    );
    const ordered = orderSteps(steps);
    expect(ordered.map((s) => s.name).sort()).toEqual(Object.keys(steps).sort());
    expect(ordered[0].name).toBe('name');
    expect(ordered[1].name).toBe('products');
    expectDepsFirst(ordered);
  });

  it('puts a dependency first even when the record says it started later (clock skew, or a re-run)', () => {
    const ordered = orderSteps(keyed(step('child', ['parent'], 0), step('parent', [], 500), step('grandchild', ['child'], 1)));
    expect(ordered.map((s) => s.name)).toEqual(['parent', 'child', 'grandchild']);
  });

  it('orders independent steps by start time', () => {
    const ordered = orderSteps(
      keyed(step('c', ['root'], 30), step('a', ['root'], 10), step('b', ['root'], 20), step('root', [], 0)),
    );
    expect(ordered.map((s) => s.name)).toEqual(['root', 'a', 'b', 'c']);
  });

  it('accepts startedAt as an ISO string (as read back from JSON)', () => {
    const late = { ...step('late', [], 100), startedAt: new Date(T0 + 100).toISOString() as unknown as Date };
    const early = { ...step('early', [], 0), startedAt: new Date(T0).toISOString() as unknown as Date };
    expect(orderSteps(keyed(late, early)).map((s) => s.name)).toEqual(['early', 'late']);
  });

  it('keeps a step whose dependency was never recorded (a run that stopped before it began)', () => {
    const ordered = orderSteps(keyed(step('scenes', ['products'], 5), step('abstracts', ['missing'], 6)));
    expect(ordered.map((s) => s.name)).toEqual(['scenes', 'abstracts']);
  });

  it('gives an empty list for a record without steps', () => {
    expect(orderSteps({})).toEqual([]);
  });
});
