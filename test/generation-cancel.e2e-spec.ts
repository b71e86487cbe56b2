/**
 * The caller's signal of GenerationEngine.run: aborting it gives the whole generation up,
 * whatever step it is in. The engine, the registry and the recorder are the app's own; the
 * simulators prove that nothing keeps running, and the record says how the run ended.
 */
import request from 'supertest';
import { uniqueName } from './support/builders';
import type { ExperimentJson } from './support/http';
import { createTestApp, TestApp } from './support/test-app';
import { eventually, startSims, type SimEvent, type Sims } from './support/simulators';
import { GenerationCancelledError } from '../src/common/errors';
import { AppRegistry } from '../src/dispatch/app-registry.service';
import { GenerationEngine } from '../src/engine/generation-engine.service';
import { ExperimentsService } from '../src/experiments/experiments.service';

const KEY = 'research-key-for-the-cancel-tests';
/** Far past the test's own time: such a request can only end by being given up. */
const SLOW_MS = 60_000;
const PROMPTS = { task: '设计一款运动辅助产品', num: 3 };

describe('cancelling a generation through its signal (e2e, simulators)', () => {
  let sims: Sims;
  let testApp: TestApp;
  let engine: GenerationEngine;
  let registry: AppRegistry;
  let experiments: ExperimentsService;

  const allSims = () => [sims.gpt, ...sims.sds];

  /** Paint type 0 for `username`, recorded as /generate records it, with the caller's `signal`. */
  function runType0(username: string, signal: AbortSignal): Promise<unknown> {
    const { app, pipeline } = registry.resolve(0, 0);
    const recorder = experiments.begin(experiments.prepare(PROMPTS), { app, pipeline, username });
    return engine.run(app, pipeline, PROMPTS, { username, recorder, signal });
  }

  /** The rejection of `run`, or a failure of the test if it resolved. */
  async function rejectionOf(run: Promise<unknown>): Promise<Error> {
    return run.then(
      () => {
        throw new Error('the run resolved');
      },
      (error: Error) => error,
    );
  }

  async function recordOf(username: string): Promise<ExperimentJson> {
    const server = testApp.app.getHttpServer();
    const page = await request(server).get(`/experiments?username=${username}`).set('X-API-Key', KEY);
    expect(page.body.data.items).toHaveLength(1);
    return (await request(server).get(`/experiments/${page.body.data.items[0]._id}`).set('X-API-Key', KEY)).body.data as ExperimentJson;
  }

  /** Every request the simulators saw has ended, and no new one comes a moment later. */
  async function expectNothingRunning(): Promise<SimEvent[]> {
    expect(await eventually(() => allSims().every((sim) => sim.stats().inFlight === 0), 100)).toBe(true);
    const seen = allSims().map((sim) => sim.stats().requests);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(allSims().map((sim) => sim.stats().requests)).toEqual(seen);
    return [...sims.gpt.events(), ...sims.sdEvents()];
  }

  beforeAll(async () => {
    sims = await startSims({ sdCount: 2 });
    testApp = await createTestApp({ ...sims.env, RESEARCH_API_KEY: KEY });
    engine = testApp.app.get(GenerationEngine);
    registry = testApp.app.get(AppRegistry);
    experiments = testApp.app.get(ExperimentsService);
  });

  afterAll(async () => {
    await testApp?.close();
    await sims?.closeAll();
  });

  beforeEach(async () => {
    await sims.resetAll();
  });

  it('gives up a GPT step in flight, fails as cancelled with the reason, and records it', async () => {
    await sims.gpt.configure({ latencyMs: SLOW_MS });
    const username = uniqueName('cancel-gpt');
    const controller = new AbortController();
    const run = rejectionOf(runType0(username, controller.signal));
    expect(await eventually(() => sims.gpt.stats().inFlight === 1)).toBe(true);
    controller.abort(new Error('the client closed the connection'));

    const error = await run;
    expect(error).toBeInstanceOf(GenerationCancelledError);
    expect(error).toMatchObject({ code: 1, status: 499, message: 'Generation cancelled by its caller: the client closed the connection' });

    const events = await expectNothingRunning();
    expect(events.map((event) => event.outcome)).toEqual(['aborted']);
    const record = await recordOf(username);
    expect(record).toMatchObject({ status: 'cancelled', error: { message: error.message, code: 1 } });
    expect(record.steps.map((step) => [step.name, step.status])).toEqual([['products', 'failed']]);
  });

  it('gives up the images in flight rather than answering with fewer creatives', async () => {
    await Promise.all(sims.sds.map((sd) => sd.configure({ latencyMs: SLOW_MS })));
    const username = uniqueName('cancel-sd');
    const controller = new AbortController();
    const run = rejectionOf(runType0(username, controller.signal));
    expect(await eventually(() => sims.sds.every((sd) => sd.stats().inFlight === 1))).toBe(true);
    controller.abort();

    const error = await run;
    expect(error).toBeInstanceOf(GenerationCancelledError);
    const events = await expectNothingRunning();
    const images = events.filter((event) => event.kind === 'txt2img');
    expect(images.length).toBeGreaterThanOrEqual(2);
    expect(images.every((event) => event.outcome === 'aborted')).toBe(true);
    const record = await recordOf(username);
    expect(record).toMatchObject({ status: 'cancelled', error: { code: 1 }, images: [] });
    expect(record.output).toBeUndefined();
  });

  it('starts nothing when the signal is already aborted', async () => {
    const username = uniqueName('cancel-early');
    const error = await rejectionOf(runType0(username, AbortSignal.abort(new Error('gone before the start'))));
    expect(error).toMatchObject({ message: 'Generation cancelled by its caller: gone before the start' });
    expect(await expectNothingRunning()).toEqual([]);
    expect(await recordOf(username)).toMatchObject({ status: 'cancelled', steps: [] });
  });

  it('answers as usual when the signal is never aborted', async () => {
    const output = (await runType0(uniqueName('kept'), new AbortController().signal)) as { count: number };
    expect(output.count).toBe(3);
  });
});
