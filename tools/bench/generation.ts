/**
 * Each paint generation type end to end over HTTP against the simulators with fixed latencies,
 * compared with the lower bound its step graph allows; the same through a job's event stream,
 * to its first creative and to its end; the SD pool's throughput under 8 concurrent type-0
 * requests against its ceiling; and the images the front end's duplicate requests cost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../ferretdb/launcher';
import { startStack } from '../stack';
import { CreativeShape, criticalPathMs, firstCreativeMs } from '../../src/engine/critical-path';
import { collectSse } from '../sse';
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
  /** What each creative shows (docs/pipelines.md), for the first creative's bound; none for type 2. */
  creatives?: CreativeShape;
}

const CASES: Case[] = [
  {
    type: 0,
    name: 'rapid divergence (6)',
    graph: RAPID_DIVERGENCE_GRAPH,
    images: { images: 6 },
    prompts: { task: '设计一款运动辅助产品', num: 6 },
    creatives: { count: 6, parts: ['images', 'abstracts'] },
  },
  {
    type: 1,
    name: 'deep divergence (3)',
    graph: DEEP_DIVERGENCE_GRAPH,
    images: { images: 3 },
    prompts: { designTask: '设计一款运动辅助产品', designTexts: ['可折叠', '夜跑照明'], designImage: SKETCH, schemeId: 1 },
    creatives: { count: 3, parts: ['images', 'abstracts', 'concretes'] },
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
    creatives: { count: 3, parts: ['sceneImages', 'productImages', 'concretes'] },
  },
];

async function generate(apiUrl: string, type: number, prompts: object, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(`${apiUrl}/generate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ appid: 0, type, prompts }),
  });
  const body = (await response.json()) as { success: boolean; message: string };
  if (!body.success) throw new Error(`type ${type} failed: ${body.message}`);
}

/** A job through its event stream: ms from POST /jobs to its first creative event (if any) and to `done`. */
async function streamed(apiUrl: string, type: number, prompts: object): Promise<{ firstCreative?: number; done: number }> {
  const started = performance.now();
  const response = await fetch(`${apiUrl}/jobs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ appid: 0, type, prompts }),
  });
  const { data } = (await response.json()) as { data: { jobId: string } };
  const { events } = await collectSse(`${apiUrl}/jobs/${data.jobId}/events`);
  const end = events.at(-1);
  if (end?.event !== 'done') throw new Error(`job of type ${type} ended with ${end?.event}: ${end?.data}`);
  const creative = events.find((event) => event.event === 'creative');
  return { firstCreative: creative && creative.at - started, done: end.at - started };
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

    console.log(`\nThrough the event stream (POST /jobs, then GET /jobs/:id/events): ms to the first creative and to done`);
    console.log(`${pad('type', 34)}${pad('first creative', 16)}${pad('bound', 8)}${pad('ratio', 9)}${pad('done', 8)}${pad('bound', 8)}ratio (target ≤ 1.05)`);
    for (const c of CASES) {
      await streamed(stack.apiUrl, c.type, c.prompts);
      const runs: { firstCreative?: number; done: number }[] = [];
      for (let run = 0; run < RUNS; run++) runs.push(await streamed(stack.apiUrl, c.type, c.prompts));
      const latencies = { gptMs: GPT_MS, sdMs: SD_MS, instances: INSTANCES, images: c.images };
      const doneBound = criticalPathMs(c.graph, latencies);
      const done = median(runs.map((run) => run.done));
      let first = `${pad('–', 16)}${pad('–', 8)}${pad('–', 9)}`;
      if (c.creatives) {
        const measured = median(runs.map((run) => run.firstCreative!));
        const bound = firstCreativeMs(c.graph, latencies, c.creatives);
        first = `${pad(measured.toFixed(0), 16)}${pad(bound, 8)}${pad((measured / bound).toFixed(3), 9)}`;
      }
      console.log(`${pad(`${c.type} ${c.name}`, 34)}${first}${pad(done.toFixed(0), 8)}${pad(doneBound, 8)}${(done / doneBound).toFixed(3)}`);
    }

    for (const sd of stack.sd) sd.clearEvents();
    // Eight participants: identical requests of one would share one run.
    await Promise.all(Array.from({ length: CONCURRENT }, (_, index) => generate(stack.apiUrl, 0, CASES[0].prompts, { 'X-InsPilot-User': `bench-${index}` })));
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

    // The front end's duplicates: type 1 twice per scheme and type 3 three times per selection, at once.
    for (const sd of stack.sd) sd.clearEvents();
    const [deep, combination] = [CASES[1], CASES[3]];
    await Promise.all([
      ...[1, 2].map(() => generate(stack.apiUrl, deep.type, deep.prompts)),
      ...[1, 2, 3].map(() => generate(stack.apiUrl, combination.type, combination.prompts)),
    ]);
    const made = stack.sd.flatMap((sd) => sd.events()).filter((event) => event.kind === 'txt2img' && event.outcome === 'ok').length;
    const imagesOf = (c: Case) => Object.values(c.images).reduce((sum, count) => sum + count, 0);
    const oneRun = imagesOf(deep) + imagesOf(combination);
    console.log(
      `\nThe front end's duplicates (2 × type 1 and 3 × type 3 at once, one client): ${made} SD images made; ` +
        `target ${oneRun}, one run per distinct request (without sharing: ${2 * imagesOf(deep) + 3 * imagesOf(combination)})`,
    );
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
