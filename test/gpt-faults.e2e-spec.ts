/**
 * GPT calls that stall, hang or are rate limited, through the simulator's streaming faults:
 * a stalled try is given up in seconds and tried again, tries stay within the step's budget,
 * a 429's Retry-After is waited out (or the step fails at once when it would pass the budget),
 * and each try's reason reaches the experiment record. Times are asserted with margins that
 * only cover timer granularity and a busy machine; order is asserted on the simulator's log.
 */
import request from 'supertest';
import { uniqueName } from './support/builders';
import type { ExperimentJson } from './support/http';
import { createTestApp, TestApp } from './support/test-app';
import { eventsOf, eventually, startSims, type SimEvent, type Sims } from './support/simulators';

const KEY = 'research-key-for-the-gpt-fault-tests';
const FIRST_TOKEN_MS = 800;
const IDLE_MS = 800;
const BUDGET_MS = 2000;
const MAX_ATTEMPTS = 4;
/** Timers fire no sooner than asked; this only covers rounding between two clocks. */
const EARLY_MS = 20;

/** Type 2 with sketch-less schemes: two GPT steps (names, then selected) and no image. */
const naming = (username: string) => ({
  appid: 0,
  type: 2,
  username,
  prompts: { designTask: '设计一款运动辅助产品', selectNum: 1, schemes: [{ designTexts: ['可折叠'] }, { designTexts: ['心率提醒'] }] },
});

type Server = ReturnType<TestApp['app']['getHttpServer']>;

describe('GPT faults (e2e, streaming simulator)', () => {
  let sims: Sims;
  let testApp: TestApp;
  let server: Server;

  const env = () => ({
    ...sims.env,
    RESEARCH_API_KEY: KEY,
    GPT_FIRST_TOKEN_TIMEOUT_MS: String(FIRST_TOKEN_MS),
    GPT_IDLE_TIMEOUT_MS: String(IDLE_MS),
    GPT_TIMEOUT_MS: '5000',
    GPT_STEP_BUDGET_MS: String(BUDGET_MS),
    GPT_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
  });

  async function recordOf(target: Server, username: string): Promise<ExperimentJson> {
    const page = await request(target).get(`/experiments?username=${username}`).set('X-API-Key', KEY);
    expect(page.body.data.items).toHaveLength(1);
    const record = await request(target).get(`/experiments/${page.body.data.items[0]._id}`).set('X-API-Key', KEY);
    return record.body.data as ExperimentJson;
  }

  const namesEvents = (): SimEvent[] => eventsOf(sims.gpt.events(), 'paint/scheme-names');

  beforeAll(async () => {
    sims = await startSims({ sdCount: 1 });
    testApp = await createTestApp(env());
    server = testApp.app.getHttpServer();
  });

  afterAll(async () => {
    await testApp?.close();
    await sims?.closeAll();
  });

  beforeEach(async () => {
    await sims.resetAll();
  });

  afterEach(async () => {
    // No try is left running on the simulator after its generation answered.
    expect(await eventually(() => sims.gpt.stats().inFlight === 0)).toBe(true);
  });

  it('retries a try that sent no first token after GPT_FIRST_TOKEN_TIMEOUT_MS, and succeeds', async () => {
    await sims.gpt.configure({ hangNext: 1 });
    const username = uniqueName('hang');
    const response = await request(server).post('/generate').send(naming(username));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ success: true, code: 0 });

    const [hung, answered] = namesEvents();
    expect(hung).toMatchObject({ outcome: 'aborted' });
    expect(answered).toMatchObject({ outcome: 'ok', status: 200 });
    expect(hung.endSeq!).toBeLessThan(answered.startSeq);
    expect(answered.start - hung.start).toBeGreaterThanOrEqual(FIRST_TOKEN_MS - EARLY_MS);

    const names = (await recordOf(server, username)).steps.find((step) => step.name === 'names')!;
    expect(names.status).toBe('succeeded');
    expect(names.attempts).toEqual([{ attempt: 1, reason: `no token within ${FIRST_TOKEN_MS} ms`, at: expect.any(String) }]);
  });

  it('gives the same reason when the server sent its headers but no token', async () => {
    await sims.gpt.configure({ stallNext: [0] });
    const username = uniqueName('headers');
    const response = await request(server).post('/generate').send(naming(username));
    expect(response.body).toMatchObject({ success: true, code: 0 });
    expect(namesEvents()[0]).toMatchObject({ outcome: 'aborted', meta: { chunks: 0, stalled: true } });
    const names = (await recordOf(server, username)).steps.find((step) => step.name === 'names')!;
    expect(names.attempts.map((attempt) => attempt.reason)).toEqual([`no token within ${FIRST_TOKEN_MS} ms`]);
  });

  it('retries a stream that stalls mid-answer after GPT_IDLE_TIMEOUT_MS, and succeeds', async () => {
    await sims.gpt.configure({ stallNext: [2] });
    const username = uniqueName('stall');
    const response = await request(server).post('/generate').send(naming(username));
    expect(response.body).toMatchObject({ success: true, code: 0 });

    const [stalled, answered] = namesEvents();
    expect(stalled).toMatchObject({ outcome: 'aborted', meta: { chunks: 2, stalled: true } });
    expect(answered).toMatchObject({ outcome: 'ok' });
    expect(answered.start - stalled.start).toBeGreaterThanOrEqual(IDLE_MS - EARLY_MS);

    const names = (await recordOf(server, username)).steps.find((step) => step.name === 'names')!;
    expect(names.attempts.map((attempt) => attempt.reason)).toEqual([`answer stalled for ${IDLE_MS} ms after 2 chunks`]);
  });

  it('fails a step that hangs on every try within its budget (not tries × timeout), code 2 naming the step and its tries', async () => {
    await sims.gpt.configure({ hang: true });
    const username = uniqueName('hangall');
    const started = Date.now();
    const response = await request(server).post('/generate').send(naming(username));
    const elapsed = Date.now() - started;

    expect(response.status).toBe(504);
    expect(response.body).toMatchObject({ success: false, data: null, code: 2 });
    const tries = namesEvents();
    // Each try gave up after the first-token timeout; the last one was cut at the budget's end.
    expect(tries.length).toBeGreaterThanOrEqual(2);
    expect(tries.length).toBeLessThan(MAX_ATTEMPTS);
    expect(response.body.message).toContain(`GPT step "names"`);
    expect(response.body.message).toContain(`failed after ${tries.length} tries`);
    expect(response.body.message).toMatch(/step budget/);
    // No try started after the budget, and the step ended at it: far from MAX_ATTEMPTS × GPT_TIMEOUT_MS.
    expect(tries.at(-1)!.start - tries[0].start).toBeLessThan(BUDGET_MS);
    expect(elapsed).toBeGreaterThanOrEqual(BUDGET_MS - EARLY_MS);
    expect(elapsed).toBeLessThan(BUDGET_MS + 1500);
    expect(await eventually(() => sims.gpt.events().every((event) => event.outcome === 'aborted'))).toBe(true);

    const record = await recordOf(server, username);
    expect(record).toMatchObject({ status: 'failed', error: { step: 'names', provider: 'gpt', code: 2 } });
    const names = record.steps.find((step) => step.name === 'names')!;
    expect(names.attempts).toHaveLength(tries.length);
    expect(names.attempts[0].reason).toBe(`no token within ${FIRST_TOKEN_MS} ms`);
    expect(names.attempts.at(-1)!.reason).toMatch(/step budget/);
  });

  it('waits out a 429 Retry-After longer than the backoff before the next try', async () => {
    await sims.gpt.configure({ failNext: [429], retryAfterMs: 1000 });
    const username = uniqueName('retryafter');
    const response = await request(server).post('/generate').send(naming(username));
    expect(response.body).toMatchObject({ success: true, code: 0 });

    const [limited, answered] = namesEvents();
    expect(limited.status).toBe(429);
    // The backoff alone is GPT_RETRY_BASE_MS (10 ms) and its jitter.
    expect(answered.start - limited.end!).toBeGreaterThanOrEqual(1000 - EARLY_MS);
    const names = (await recordOf(server, username)).steps.find((step) => step.name === 'names')!;
    expect(names.attempts.map((attempt) => attempt.reason)).toEqual([expect.stringMatching(/^429 /)]);
  });

  it('fails at once, saying so, when Retry-After would pass the step budget', async () => {
    await sims.gpt.configure({ failNext: [429], retryAfterMs: 10_000 });
    const started = Date.now();
    const response = await request(server).post('/generate').send(naming(uniqueName('toolate')));
    expect(Date.now() - started).toBeLessThan(BUDGET_MS);

    expect(response.status).toBe(502);
    expect(response.body).toMatchObject({ success: false, data: null, code: 2 });
    expect(response.body.message).toContain('GPT step "names"');
    expect(response.body.message).toContain('failed after 1 try: 429');
    expect(response.body.message).toContain(`the server asked to wait 10000 ms, past the ${BUDGET_MS} ms step budget`);
    expect(sims.gpt.events()).toHaveLength(1);
  });

  it('does not retry what a retry cannot fix (a refused key)', async () => {
    await sims.gpt.configure({ requireKey: 'another-key' });
    const response = await request(server).post('/generate').send(naming(uniqueName('key')));
    expect(response.status).toBe(502);
    expect(response.body.message).toMatch(/GPT step "names" .*failed after 1 try: 401/);
    expect(sims.gpt.events()).toHaveLength(1);
  });

  it('streams with usage asked for, and records every step\'s tokens', async () => {
    const username = uniqueName('tokens');
    const response = await request(server).post('/generate').send(naming(username));
    expect(response.body).toMatchObject({ success: true, code: 0 });
    for (const event of sims.gpt.events()) expect(event.meta).toMatchObject({ stream: true, includeUsage: true, chunks: expect.any(Number) });

    const record = await recordOf(server, username);
    expect(record.steps.map((step) => step.name).sort()).toEqual(['names', 'selected']);
    for (const step of record.steps) {
      expect(step.tokens!.prompt).toBeGreaterThan(0);
      expect(step.tokens!.completion).toBeGreaterThan(0);
      expect(step.tokens!.total).toBe(step.tokens!.prompt + step.tokens!.completion);
    }
  });

  it('strips NUL characters from the answers, so they are used and recorded', async () => {
    await sims.gpt.configure({ nulChars: true });
    const username = uniqueName('nul');
    const response = await request(server).post('/generate').send(naming(username));
    expect(response.body).toMatchObject({ success: true, code: 0 });
    const { names, selected } = response.body.data as { names: string[]; selected: string[] };
    expect(names).toHaveLength(2);
    for (const text of [...names, ...selected]) expect(text).not.toContain('\u0000');
    // The selection was matched back to the names: the same text without the NULs.
    expect(names).toContain(selected[0]);

    const record = await recordOf(server, username);
    expect(record.status).toBe('succeeded');
    for (const step of record.steps) {
      expect(step.rawOutput).toEqual(expect.any(String));
      expect(step.rawOutput).not.toContain('\u0000');
    }
  });

  it('retries a stalled stream from Azure OpenAI (deployment path, filter chunk first)', async () => {
    const azure = await createTestApp({
      ...env(),
      OPENAI_API_KEY: '',
      AZURE_OPENAI_ENDPOINT: sims.gpt.url,
      AZURE_OPENAI_API_KEY: 'azure-key',
      AZURE_OPENAI_DEPLOYMENT: 'inspilot-gpt4o',
    });
    try {
      // Azure's filter chunk and the first token, then nothing.
      await sims.gpt.configure({ stallNext: [2] });
      const username = uniqueName('azure');
      const response = await request(azure.app.getHttpServer()).post('/generate').send(naming(username));
      expect(response.body).toMatchObject({ success: true, code: 0 });
      const [stalled, answered] = namesEvents();
      expect(stalled).toMatchObject({ outcome: 'aborted', meta: { deployment: 'inspilot-gpt4o', stream: true, chunks: 2 } });
      expect(answered).toMatchObject({ outcome: 'ok', meta: { deployment: 'inspilot-gpt4o' } });
      const names = (await recordOf(azure.app.getHttpServer(), username)).steps.find((step) => step.name === 'names')!;
      expect(names.attempts.map((attempt) => attempt.reason)).toEqual([`answer stalled for ${IDLE_MS} ms after 2 chunks`]);
    } finally {
      await azure.close();
    }
  });
});
