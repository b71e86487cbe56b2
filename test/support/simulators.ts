/**
 * Model-provider simulators for the generation e2e tests: one GPT simulator and N Stable
 * Diffusion simulators on free ports, the environment that points a test app at them, and
 * helpers to read their event logs.
 */
import { PNG } from 'pngjs';
import {
  startGptSim,
  startSdSim,
  type GptSimHandle,
  type GptSimOptions,
  type SdSimHandle,
  type SdSimOptions,
  type SimEvent,
} from '../../tools/sim';

export type { GptSimHandle, SdSimHandle, SimEvent };

export interface SimsOptions {
  /** Stable Diffusion instances to start (default 3). */
  sdCount?: number;
  gpt?: Partial<GptSimOptions>;
  sd?: Partial<SdSimOptions>;
  /** Extra variables for the app, over the defaults below. */
  env?: Record<string, string>;
}

export interface Sims {
  gpt: GptSimHandle;
  sds: SdSimHandle[];
  /** For createTestApp: the simulators' addresses and fast failure settings. */
  env: Record<string, string>;
  /** Every SD simulator's events, merged. */
  sdEvents(): SimEvent[];
  /** Empties every simulator's log (and restarts its concurrency counts). */
  clearEvents(): void;
  /** Back to the start options, empty logs, all listening. */
  resetAll(): Promise<void>;
  closeAll(): Promise<void>;
}

export const SIM_API_KEY = 'sk-sim-test';

/** Starts one GPT simulator and `sdCount` SD simulators on free ports. */
export async function startSims(options: SimsOptions = {}): Promise<Sims> {
  const { sdCount = 3, gpt: gptOptions = {}, sd: sdOptions = {}, env = {} } = options;
  const gpt = await startGptSim({ latencyMs: 20, ...gptOptions });
  const sds: SdSimHandle[] = [];
  try {
    for (let i = 0; i < sdCount; i++) sds.push(await startSdSim({ latencyMs: 30, seed: i + 1, ...sdOptions }));
  } catch (error) {
    await Promise.all([gpt.close(), ...sds.map((sd) => sd.close())]);
    throw error;
  }
  const all = () => [gpt, ...sds];
  return {
    gpt,
    sds,
    env: {
      OPENAI_API_KEY: SIM_API_KEY,
      OPENAI_BASE_URL: `${gpt.url}/v1`,
      SD_ENDPOINTS: sds.map((sd) => sd.url).join(','),
      GPT_RETRY_BASE_MS: '10',
      SD_PROBE_INTERVAL_MS: '100',
      PROMPTS_WATCH: 'false',
      ...env,
    },
    sdEvents: () => sds.flatMap((sd) => sd.events()),
    clearEvents: () => all().forEach((sim) => sim.clearEvents()),
    resetAll: async () => {
      await Promise.all(all().map((sim) => sim.reset()));
    },
    closeAll: async () => {
      await Promise.all(all().map((sim) => sim.close()));
    },
  };
}

/**
 * Which prompt template a GPT request came from, recognised by a phrase of the template
 * (prompts/paint/*.hbs) that falls within the first 200 characters the simulator logs.
 * Order matters: the convergence templates must be tried before the per-product ones.
 */
const TEMPLATE_MARKERS: ReadonlyArray<readonly [string, RegExp]> = [
  ['paint/convergence-scenes', /个产品方案[\s\S]*个使用场景：先写完/],
  ['paint/convergence-concretes', /个产品方案[\s\S]*段产品功能说明：先写完/],
  ['paint/product-sd-prompts', /^下面按顺序列出了 \d+ 段产品功能说明/],
  ['paint/scene-sd-prompts', /^下面按顺序列出了 \d+ 个使用场景/],
  ['paint/scheme-names', /设计师为这个任务画了 \d+ 个方案/],
  ['paint/scheme-name', /请推测这是一个什么产品/],
  ['paint/select', /下面是 \d+ 个设计方案/],
  ['paint/products', /你是一名资深的产品设计专家/],
  ['paint/scenes', /请为每个产品写出一个典型的使用场景/],
  ['paint/abstracts', /请为每个产品写一条抽象的概念提示/],
  ['paint/concretes', /请为每个产品写一段产品功能说明/],
];

export function templateOf(event: SimEvent): string | undefined {
  return TEMPLATE_MARKERS.find(([, marker]) => marker.test(event.prompt))?.[0];
}

/** The GPT events of one template, in start order. */
export function eventsOf(events: SimEvent[], template: string): SimEvent[] {
  return events.filter((event) => templateOf(event) === template).sort((a, b) => a.startSeq - b.startSeq);
}

/** The single GPT event of a template; fails the test when there is not exactly one. */
export function onlyEventOf(events: SimEvent[], template: string): SimEvent {
  const found = eventsOf(events, template);
  if (found.length !== 1) {
    const seen = events.map((event) => `${templateOf(event) ?? '?'}: ${event.prompt.slice(0, 40)}`).join('\n');
    throw new Error(`expected one "${template}" request, saw ${found.length}; requests:\n${seen}`);
  }
  return found[0];
}

/** A small real PNG as the canvas exports it (`data:image/png;base64,…`). */
export function sketchDataUrl(shade = 40): string {
  const png = new PNG({ width: 16, height: 12 });
  for (let i = 0; i < 16 * 12; i++) {
    const on = (i % 16 < 8) !== (Math.floor(i / 16) < 6);
    png.data.set(on ? [shade, shade, shade, 255] : [245, 245, 245, 255], i * 4);
  }
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
}

/** Resolves once `check` returns true, trying every `everyMs` for at most `tries` times. */
export async function eventually(check: () => boolean | Promise<boolean>, tries = 60, everyMs = 50): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return false;
}
