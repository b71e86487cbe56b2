/**
 * A pipeline declared as a graph of steps. The declaration drives execution (a step starts
 * the moment its dependencies are done, so independent steps overlap), the experiment record
 * (each step's dependencies), and the benchmark's lower bound (the critical path).
 */
export type StepKind = 'gpt' | 'vision' | 'sd';

export interface StepSpec {
  kind: StepKind;
  deps: readonly string[];
  /** The prompt template of a GPT step. */
  template?: string;
  /** The image style of an SD step. */
  style?: string;
}

export type GraphSpec = Readonly<Record<string, StepSpec>>;

export function defineGraph<G extends GraphSpec>(graph: G): G {
  for (const [name, step] of Object.entries(graph)) {
    for (const dep of step.deps) if (!(dep in graph)) throw new Error(`Step "${name}" depends on unknown step "${dep}"`);
    if (step.kind !== 'sd' && !step.template) throw new Error(`GPT step "${name}" has no template`);
    if (step.kind === 'sd' && !step.style) throw new Error(`Image step "${name}" has no style`);
  }
  return graph;
}

export type StepHandlers<R> = { [K in keyof R]: (done: R) => Promise<R[K]> };

/**
 * Runs every step as soon as its dependencies have finished. A handler reads only its own
 * dependencies from `done`. The first failure fails the whole graph.
 */
export async function executeGraph<R extends Record<string, unknown>>(graph: GraphSpec, handlers: StepHandlers<R>): Promise<R> {
  const done = {} as R;
  const started = new Map<string, Promise<void>>();
  const start = (name: string): Promise<void> => {
    let promise = started.get(name);
    if (!promise) {
      const step = graph[name];
      promise = Promise.all(step.deps.map(start)).then(async () => {
        done[name as keyof R] = await handlers[name as keyof R](done);
      });
      started.set(name, promise);
    }
    return promise;
  };
  await Promise.all(Object.keys(graph).map(start));
  return done;
}

export interface Latencies {
  gptMs: number;
  sdMs: number;
  /** WebUI instances, each running one image at a time. */
  instances: number;
  /** Images each SD step makes. */
  images: Record<string, number>;
}

/**
 * The shortest possible duration of a graph: each GPT step one latency after its last
 * dependency, and the images of all SD steps scheduled on the instances as soon as they
 * are ready (equal-length jobs, so earliest-ready-first onto the earliest-free instance is optimal).
 */
export function criticalPathMs(graph: GraphSpec, latencies: Latencies): number {
  const finish = new Map<string, number>();
  const ready = (name: string): number => Math.max(0, ...graph[name].deps.map((dep) => finishOf(dep)));
  const free = Array.from({ length: latencies.instances }, () => 0);
  const sdSteps = Object.keys(graph).filter((name) => graph[name].kind === 'sd');
  const finishOf = (name: string): number => {
    const known = finish.get(name);
    if (known !== undefined) return known;
    if (graph[name].kind === 'sd') {
      scheduleImages();
      return finish.get(name)!;
    }
    const value = ready(name) + latencies.gptMs;
    finish.set(name, value);
    return value;
  };
  let scheduled = false;
  const scheduleImages = () => {
    if (scheduled) return;
    scheduled = true;
    const jobs = sdSteps
      .flatMap((name) => Array.from({ length: latencies.images[name] ?? 0 }, () => ({ name, ready: ready(name) })))
      .sort((a, b) => a.ready - b.ready);
    for (const name of sdSteps) finish.set(name, ready(name));
    for (const job of jobs) {
      const slot = free.indexOf(Math.min(...free));
      const end = Math.max(job.ready, free[slot]) + latencies.sdMs;
      free[slot] = end;
      finish.set(job.name, Math.max(finish.get(job.name)!, end));
    }
  };
  return Math.max(...Object.keys(graph).map(finishOf));
}
