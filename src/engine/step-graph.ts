import type { ImageOutcome } from './made-image';

/**
 * A pipeline declared as a graph of steps. The declaration drives execution (a step starts
 * the moment its dependencies are done, so independent steps overlap), the experiment record
 * (each step's dependencies), the start-up check of templates and styles, and the benchmark's
 * lower bound (the critical path). Each step is named once, by its key.
 */
export type StepSpec =
  | { kind: 'gpt' | 'vision'; answer: 'list' | 'text'; template: string; deps: readonly string[] }
  | { kind: 'sd'; style: string; deps: readonly string[] };

export type GraphSpec = Readonly<Record<string, StepSpec>>;

/** What a list step is asked: its template's variables (`count` is added), and how many items. */
export interface ListStepInput {
  vars: object;
  count: number;
  /** Images a vision step shows the model, as data URLs. */
  images?: readonly string[];
  /** Only items from this list count, each once (a choice among given names). */
  within?: readonly string[];
}

/** What a text step is asked: its template's variables. */
export interface TextStepInput {
  vars: object;
  images?: readonly string[];
}

/** What an image step is asked: one image per prompt. */
export interface SdStepInput {
  prompts: readonly string[];
}

type InputOf<S> = S extends { kind: 'sd' } ? SdStepInput : S extends { answer: 'text' } ? TextStepInput : ListStepInput;

type ResultOf<S> = S extends { kind: 'sd' } ? ImageOutcome[] : S extends { answer: 'text' } ? string : string[];

/** What each step answers: images for an image step, one text or a list for a GPT step. */
export type StepResults<G> = { [K in keyof G]: ResultOf<G[K]> };

type PartOf<S> = S extends { kind: 'sd' } ? readonly (ImageOutcome | undefined)[] : ResultOf<S>;

/**
 * What a run has made so far, as a pipeline's creatives read it: each finished GPT step's
 * answer, and for an image step each image in its slot as soon as it is made (the slots of
 * images still being made are empty). A finished run's `StepResults` is one too.
 */
export type CreativeParts<G> = { readonly [K in keyof G]?: PartOf<G[K]> };

/** The steps step `K` of `G` depends on. */
type DepsOf<G, K extends keyof G> = G[K] extends { deps: readonly (infer D)[] } ? Extract<D, keyof G> : never;

/** What each step is asked: a handler per graph step, receiving the results of its deps only. */
export type StepInputs<G> = {
  [K in keyof G]: (done: Pick<StepResults<G>, DepsOf<G, K>>) => InputOf<G[K]> | Promise<InputOf<G[K]>>;
};

/** Dependencies may only name steps of the same graph. */
type KnownDeps<G> = { [K in keyof G]: { deps: readonly (keyof G & string)[] } };

/**
 * Declares a graph, keeping its literal types (step names, kinds, answers, deps) for
 * `StepResults` and `StepInputs`. Refuses, when compiled and again when loaded, a dependency
 * on an unknown step; refuses a GPT step without a template and an image step without a style.
 */
export function defineGraph<const G extends GraphSpec>(graph: G & KnownDeps<G>): G {
  for (const [name, step] of Object.entries(graph as GraphSpec)) {
    for (const dep of step.deps) if (!(dep in graph)) throw new Error(`Step "${name}" depends on unknown step "${dep}"`);
    if (step.kind === 'sd') {
      if (!step.style) throw new Error(`Image step "${name}" has no style`);
    } else {
      if (!step.template) throw new Error(`GPT step "${name}" has no template`);
      if (step.answer !== 'list' && step.answer !== 'text') throw new Error(`GPT step "${name}" must answer "list" or "text"`);
    }
  }
  return graph;
}

/** What any step answers, as the engine holds it while it runs a graph. */
export type StepResult = string | string[] | ImageOutcome[];

/**
 * Runs every step as soon as its dependencies have finished, giving it the results of its
 * dependencies only. The first failure fails the whole graph.
 */
export async function executeGraph(
  graph: GraphSpec,
  run: (step: string, done: Record<string, StepResult>) => Promise<StepResult>,
): Promise<Record<string, StepResult>> {
  const results: Record<string, StepResult> = {};
  const started = new Map<string, Promise<void>>();
  const start = (name: string): Promise<void> => {
    let promise = started.get(name);
    if (!promise) {
      const { deps } = graph[name];
      promise = Promise.all(deps.map(start)).then(async () => {
        const done: Record<string, StepResult> = Object.fromEntries(deps.map((dep) => [dep, results[dep]]));
        results[name] = await run(name, done);
      });
      started.set(name, promise);
    }
    return promise;
  };
  await Promise.all(Object.keys(graph).map(start));
  return results;
}
