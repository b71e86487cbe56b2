/**
 * Each paint generation type end to end over HTTP against the simulators with fixed latencies,
 * compared with the lower bound its step graph allows; then the SD pool's throughput under 8
 * concurrent type-0 requests against its ceiling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../ferretdb/launcher';
import { startStack } from '../stack';
import { criticalPathMs } from '../../src/engine/critical-path';
import type { GraphSpec } from '../../src/engine/step-graph';
import { RAPID_DIVERGENCE_GRAPH } from '../../src/apps/paint/pipelines/rapid-divergence.pipeline';
import { DEEP_DIVERGENCE_GRAPH } from '../../src/apps/paint/pipelines/deep-divergence.pipeline';
import { CONVERGENCE_NAMING_GRAPH } from '../../src/apps/paint/pipelines/convergence-naming.pipeline';
import { CONVERGENCE_COMBINATION_GRAPH } from '../../src/apps/paint/pipelines/convergence-combination.pipeline';

const GPT_MS = 300;
const SD_MS = 1000;
const INSTANCES = 3;
const RUNS = 3;
const CONCURRENT = 8;

const SKETCH =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

interface Case {
  type: number;
  name: string;
  graph: GraphSpec;
  images: Record<string, number>;
  prompts: object;
}

const CASES: Case[] = [
  { type: 0, name: 'rapid divergence (6)', graph: RAPID_DIVERGENCE_GRAPH, images: { images: 6 }, prompts: { task: '设计一款运动辅助产品', num: 6 } },
  {
    type: 1,
    name: 'deep divergence (3)',
    graph: DEEP_DIVERGENCE_GRAPH,
    images: { images: 3 },
    prompts: { designTask: '设计一款运动辅助产品', designTexts: ['可折叠', '夜跑照明'], designImage: SKETCH, schemeId: 1 },
  },
  {
    type: 2,
    name: 'convergence naming (4 schemes)',
    graph: CONVERGENCE_NAMING_GRAPH,
    images: {},
    prompts: {
      designTask: '设计一款运动辅助产品',
      selectNum: 3,
      schemes: [1, 2, 3, 4].map((n) => ({ designTexts: [`方案${n}`], designImage: SKETCH })),
    },
  },
  {
    type: 3,
    name: 'convergence combination (1×3)',
    graph: CONVERGENCE_COMBINATION_GRAPH,
    images: { sceneImages: 3, productImages: 3 },
    prompts: { selectedSchemes: [{ designTexts: ['可折叠', '夜跑照明'] }], num: 3 },
  },
];

async function generate(apiUrl: string, type: number, prompts: object): Promise<void> {
  const response = await fetch(`${apiUrl}/generate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ appid: 0, type, prompts }),
  });
  const body = (await response.json()) as { success: boolean; message: string };
  if (!body.success) throw new Error(`type ${type} failed: ${body.message}`);
}

async function timed(action: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const pad = (text: string | number, width: number) => String(text).padEnd(width);

export async function benchGeneration(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'inspilot-bench-'));
  const stack = await startStack({
    gptLatencyMs: GPT_MS,
    sdLatencyMs: SD_MS,
    sdInstances: INSTANCES,
    apiPort: await freePort(),
    dataDir,
    env: { NODE_ENV: 'production', GPT_CONCURRENCY: '32' },
  });
  try {
    console.log(`Simulated latencies: GPT ${GPT_MS} ms, SD ${SD_MS} ms, ${INSTANCES} SD instances; median of ${RUNS} runs after one warm-up.\n`);
    console.log(`${pad('type', 34)}${pad('measured ms', 13)}${pad('bound ms', 10)}ratio (target ≤ 1.05)`);
    const results: string[] = [];
    for (const c of CASES) {
      await generate(stack.apiUrl, c.type, c.prompts);
      const times: number[] = [];
      for (let run = 0; run < RUNS; run++) times.push(await timed(() => generate(stack.apiUrl, c.type, c.prompts)));
      const measured = median(times);
      const bound = criticalPathMs(c.graph, { gptMs: GPT_MS, sdMs: SD_MS, instances: INSTANCES, images: c.images });
      const line = `${pad(`${c.type} ${c.name}`, 34)}${pad(measured.toFixed(0), 13)}${pad(bound, 10)}${(measured / bound).toFixed(3)}`;
      console.log(line);
      results.push(line);
    }

    for (const sd of stack.sd) sd.clearEvents();
    await Promise.all(Array.from({ length: CONCURRENT }, () => generate(stack.apiUrl, 0, CASES[0].prompts)));
    const events = stack.sd.flatMap((sd) => sd.events()).filter((event) => event.outcome === 'ok');
    const first = Math.min(...events.map((event) => event.start));
    const last = Math.max(...events.map((event) => event.end ?? event.start));
    const throughput = events.length / ((last - first) / 1000);
    const ceiling = INSTANCES / (SD_MS / 1000);
    const maxConcurrent = Math.max(...stack.sd.map((sd) => sd.stats().maxConcurrent));
    console.log(
      `\nPool throughput, ${CONCURRENT} concurrent type-0 requests: ${events.length} images in ${((last - first) / 1000).toFixed(2)} s ` +
        `(first image start to last image end) = ${throughput.toFixed(3)} images/s; ceiling ${ceiling.toFixed(3)} images/s; ` +
        `ratio ${(throughput / ceiling).toFixed(3)} (target ≥ 0.95); most jobs at once on one instance: ${maxConcurrent}`,
    );
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
