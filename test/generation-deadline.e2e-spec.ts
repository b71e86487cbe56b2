/**
 * The generation deadline (GENERATION_DEADLINE_MS): when it passes, the run gives up its
 * queued and running work and answers with what was made, or, when a step the answer needs
 * had not finished, fails naming that step. The simulators prove that nothing keeps running.
 */
import request from 'supertest';
import { uniqueName } from './support/builders';
import type { ExperimentJson } from './support/http';
import { createTestApp, TestApp } from './support/test-app';
import { eventsOf, eventually, startSims, type SimEvent, type Sims } from './support/simulators';

const KEY = 'research-key-for-the-deadline-tests';
const DEADLINE_MS = 2500;
/** Far past the deadline and the test's own time: such a job can only end by being given up. */
const SLOW_MS = 60_000;
const EARLY_MS = 20;
/** A phrase of the abstracts template (prompts/paint/abstracts.hbs). */
const ABSTRACTS = '请为每个产品写一条抽象的概念提示';

type Server = ReturnType<TestApp['app']['getHttpServer']>;

describe('generation deadline (e2e, simulators)', () => {
  let sims: Sims;
  let testApp: TestApp;
  let server: Server;

  const type0 = (username: string) => ({ appid: 0, type: 0, username, prompts: { task: '设计一款运动辅助产品', num: 6 } });

  async function recordOf(username: string): Promise<ExperimentJson> {
    const page = await request(server).get(`/experiments?username=${username}`).set('X-API-Key', KEY);
    expect(page.body.data.items).toHaveLength(1);
    return (await request(server).get(`/experiments/${page.body.data.items[0]._id}`).set('X-API-Key', KEY)).body.data as ExperimentJson;
  }

  const allSims = () => [sims.gpt, ...sims.sds];

  /** Every request the simulators saw has ended, and no new one comes a moment later. */
  async function expectNothingRunning(): Promise<SimEvent[]> {
    expect(await eventually(() => allSims().every((sim) => sim.stats().inFlight === 0), 100)).toBe(true);
    const seen = allSims().map((sim) => sim.stats().requests);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(allSims().map((sim) => sim.stats().requests)).toEqual(seen);
    return [...sims.gpt.events(), ...sims.sdEvents()];
  }

  beforeAll(async () => {
    sims = await startSims({ sdCount: 3 });
    testApp = await createTestApp({ ...sims.env, RESEARCH_API_KEY: KEY, GENERATION_DEADLINE_MS: String(DEADLINE_MS) });
    server = testApp.app.getHttpServer();
  });

  afterAll(async () => {
    await testApp?.close();
    await sims?.closeAll();
  });

  beforeEach(async () => {
    await sims.resetAll();
  });

  it('answers with the creatives whose images were made when a slow instance misses the deadline', async () => {
    await sims.sds[2].configure({ latencyMs: SLOW_MS });
    const username = uniqueName('partial');
    const started = Date.now();
    const response = await request(server).post('/generate').send(type0(username));
    const elapsed = Date.now() - started;

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ success: true, code: 0 });
    const { count, result } = response.body.data as { count: number; result: Array<{ items: Array<{ image: string | null }> }> };
    expect(result).toHaveLength(count);
    expect(count).toBeGreaterThanOrEqual(1);
    expect(count).toBeLessThan(6);
    for (const creative of result) expect(creative.items[0].image).toEqual(expect.any(String));
    expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS - EARLY_MS);
    expect(elapsed).toBeLessThan(DEADLINE_MS + 2000);

    const events = await expectNothingRunning();
    const images = events.filter((event) => event.kind === 'txt2img');
    // Exactly the images answered were made; the slow instance's were abandoned, not left to run.
    expect(images.filter((event) => event.outcome === 'ok')).toHaveLength(count);
    expect(sims.sds[2].events().length).toBeGreaterThanOrEqual(1);
    expect(sims.sds[2].events().every((event) => event.outcome === 'aborted')).toBe(true);

    const record = await recordOf(username);
    expect(record.status).toBe('partly-succeeded');
    expect(record.images).toHaveLength(count);
    const step = record.steps.find((s) => s.name === 'images')!;
    expect(step.attempts).toHaveLength(6 - count);
    for (const attempt of step.attempts) expect(attempt.reason).toMatch(new RegExp(`not made within the ${DEADLINE_MS} ms generation deadline`));
  });

  it('fails with 504 code 2 naming a GPT step hung past the deadline, and gives up every GPT and SD request', async () => {
    await sims.gpt.configure({ hangPromptContains: ABSTRACTS });
    await Promise.all(sims.sds.map((sd) => sd.configure({ latencyMs: SLOW_MS })));
    const username = uniqueName('hung');
    const started = Date.now();
    const response = await request(server).post('/generate').send(type0(username));

    expect(Date.now() - started).toBeLessThan(DEADLINE_MS + 2000);
    expect(response.status).toBe(504);
    expect(response.body).toEqual({
      success: false,
      data: null,
      code: 2,
      message: `GPT step "abstracts" did not finish within the ${DEADLINE_MS} ms generation deadline`,
    });

    const events = await expectNothingRunning();
    const abstracts = eventsOf(events, 'paint/abstracts');
    expect(abstracts).toHaveLength(1);
    expect(abstracts[0].outcome).toBe('aborted');
    // Images were running at the deadline, and were given up with it.
    const images = events.filter((event) => event.kind === 'txt2img');
    expect(images.length).toBeGreaterThanOrEqual(1);
    expect(images.every((event) => event.outcome === 'aborted')).toBe(true);

    const record = await recordOf(username);
    expect(record).toMatchObject({ status: 'failed', error: { step: 'abstracts', provider: 'gpt', code: 2 } });
    expect(record.steps.find((s) => s.name === 'abstracts')).toMatchObject({ status: 'failed', error: response.body.message });
  });

  it('fails with 504 naming the image step when no image was made by the deadline', async () => {
    await Promise.all(sims.sds.map((sd) => sd.configure({ latencyMs: SLOW_MS })));
    const username = uniqueName('noimage');
    const response = await request(server).post('/generate').send(type0(username));

    expect(response.status).toBe(504);
    expect(response.body).toMatchObject({ success: false, data: null, code: 2 });
    expect(response.body.message).toBe(`Image step "images" did not finish within the ${DEADLINE_MS} ms generation deadline`);
    // Every text step had finished: only the pictures were missing.
    expect(sims.gpt.events().every((event) => event.outcome === 'ok')).toBe(true);
    const events = await expectNothingRunning();
    expect(events.filter((event) => event.kind === 'txt2img').every((event) => event.outcome === 'aborted')).toBe(true);

    const record = await recordOf(username);
    expect(record).toMatchObject({ status: 'failed', error: { step: 'images', provider: 'sd', code: 2 } });
    expect(record.steps.find((s) => s.name === 'images')).toMatchObject({ status: 'failed', error: response.body.message });
  });

  it('lets twenty images and their GPT calls wait on the run\'s one signal without a MaxListenersExceededWarning', async () => {
    // Jest gives a test a copy of `process`; Node warns on the real one, reached through a
    // function made in the realm AbortController comes from.
    const nodeProcess = new (AbortController.constructor as FunctionConstructor)('return process')() as NodeJS.Process;
    const warnings: Error[] = [];
    const collect = (warning: Error) => warnings.push(warning);
    // Its own app with room to make all twenty: this file's tight deadline would cut some on a busy machine.
    const roomy = await createTestApp({ ...sims.env, GENERATION_DEADLINE_MS: '120000' });
    nodeProcess.on('warning', collect);
    try {
      const response = await request(roomy.app.getHttpServer())
        .post('/generate')
        .send({ appid: 0, type: 0, prompts: { task: '设计一款运动辅助产品', num: 20 } });
      expect(response.body).toMatchObject({ success: true, data: { count: 20 } });
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      nodeProcess.off('warning', collect);
      await roomy.close();
    }
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
