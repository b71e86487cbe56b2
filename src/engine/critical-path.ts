import type { GraphSpec } from './step-graph';

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
