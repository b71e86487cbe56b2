import type { GraphSpec } from './step-graph';

export interface Latencies {
  gptMs: number;
  sdMs: number;
  /** WebUI instances, each running one image at a time. */
  instances: number;
  /** Images each SD step makes. */
  images: Record<string, number>;
}

/** What each creative shows: a whole GPT step's answer, or its own image (its slot's) of an SD step. */
export interface CreativeShape {
  count: number;
  /** Steps creative `i` needs: GPT steps whole, SD steps by image `i`. */
  parts: readonly string[];
}

export interface Schedule {
  /** When each step can start: once its last dependency has finished. */
  ready: Record<string, number>;
  /** When each step has finished: a GPT step one latency after it is ready, an SD step with its last image. */
  steps: Record<string, number>;
  /** When each image of each SD step is made, by slot. */
  images: Record<string, number[]>;
}

/** Puts `count` equal images ready at `ready` on the earliest-free instances; returns when each is made. */
function place(free: number[], count: number, ready: number, sdMs: number): number[] {
  return Array.from({ length: count }, () => {
    const slot = free.indexOf(Math.min(...free));
    free[slot] = Math.max(ready, free[slot]) + sdMs;
    return free[slot];
  });
}

/**
 * The earliest each step and image can finish: each GPT step one latency after its last
 * dependency, the images of all SD steps on the instances as soon as they are ready, the
 * earliest-ready first (equal-length jobs: onto the earliest-free instance is optimal). Steps are
 * taken in the order they become ready, so images are placed in that order too.
 */
export function schedule(graph: GraphSpec, latencies: Latencies): Schedule {
  const result: Schedule = { ready: {}, steps: {}, images: {} };
  const free = Array.from({ length: latencies.instances }, () => 0);
  const pending = new Set(Object.keys(graph));
  while (pending.size > 0) {
    const computable = [...pending].filter((name) => graph[name].deps.every((dep) => dep in result.steps));
    if (computable.length === 0) throw new Error(`The graph has a cycle through ${[...pending].join(', ')}`);
    const readyOf = (name: string) => Math.max(0, ...graph[name].deps.map((dep) => result.steps[dep]));
    const name = computable.reduce((best, candidate) => (readyOf(candidate) < readyOf(best) ? candidate : best));
    const ready = readyOf(name);
    result.ready[name] = ready;
    if (graph[name].kind === 'sd') {
      result.images[name] = place(free, latencies.images[name] ?? 0, ready, latencies.sdMs);
      result.steps[name] = Math.max(ready, ...result.images[name]);
    } else {
      result.steps[name] = ready + latencies.gptMs;
    }
    pending.delete(name);
  }
  return result;
}

/** The shortest possible duration of a graph: when its last step can finish. */
export function criticalPathMs(graph: GraphSpec, latencies: Latencies): number {
  return Math.max(...Object.values(schedule(graph, latencies).steps));
}

/**
 * The earliest moment all parts of some creative can exist: for each creative its GPT parts as
 * early as the graph allows, and its own images on the instances ahead of any other image (the
 * others can wait for them); then the soonest creative.
 */
export function firstCreativeMs(graph: GraphSpec, latencies: Latencies, shape: CreativeShape): number {
  const { ready, steps } = schedule(graph, latencies);
  let first = Infinity;
  for (let index = 0; index < shape.count; index++) {
    const free = Array.from({ length: latencies.instances }, () => 0);
    const images = shape.parts
      .filter((step) => graph[step].kind === 'sd')
      .sort((a, b) => ready[a] - ready[b])
      .flatMap((step) => place(free, 1, ready[step], latencies.sdMs));
    const texts = shape.parts.filter((step) => graph[step].kind !== 'sd').map((step) => steps[step]);
    first = Math.min(first, Math.max(0, ...texts, ...images));
  }
  return first;
}
