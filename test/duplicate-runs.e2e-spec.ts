/**
 * Identical generation requests in flight share one run (GENERATE_DEDUPE): the front end sends
 * type 1 twice per scheme and type 3 up to three times per selection, at once. The simulators
 * count what the providers were asked; every caller still gets the full answer.
 */
import request from 'supertest';
import { createTestApp, TestApp } from './support/test-app';
import { eventually, sketchDataUrl, startSims, type Sims } from './support/simulators';
import { uniqueName } from './support/builders';

const KEY = 'research-key-for-the-dedupe-tests';
const TYPE1 = { designTask: '设计一款运动辅助产品', designTexts: ['可折叠', '夜跑照明'], designImage: sketchDataUrl(), schemeId: 2 };
const TYPE3 = { selectedSchemes: [{ designTexts: ['可折叠', '夜跑照明'] }], num: 3 };
const TYPE0 = { task: '设计一款运动辅助产品', num: 3 };

interface Recorded {
  _id: string;
  type: number;
  status: string;
  requests?: number;
}

describe('duplicate requests share one run (e2e, simulators)', () => {
  let sims: Sims;
  let testApp: TestApp;
  let url: string;

  /** A /generate over fetch, as a browser sends it; `signal` lets a test walk away. */
  const generate = (type: number, prompts: object, headers: Record<string, string> = {}, signal?: AbortSignal, base = url) =>
    fetch(`${base}/generate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'front-end', ...headers },
      body: JSON.stringify({ appid: 0, type, prompts }),
      signal,
    }).then(async (response) => ({ status: response.status, body: (await response.json()) as { success: boolean; data: unknown; code: number; message: string } }));

  const madeImages = () => sims.sdEvents().filter((event) => event.kind === 'txt2img' && event.outcome === 'ok').length;

  async function records(app: TestApp, query: string): Promise<Recorded[]> {
    const page = await request(app.app.getHttpServer()).get(`/experiments?${query}`).set('X-API-Key', KEY);
    return page.body.data.items as Recorded[];
  }

  async function listening(env: Record<string, string> = {}): Promise<{ app: TestApp; url: string }> {
    const app = await createTestApp({ ...sims.env, RESEARCH_API_KEY: KEY, ...env });
    await app.app.listen(0, '127.0.0.1');
    return { app, url: (await app.app.getUrl()).replace('[::1]', '127.0.0.1') };
  }

  beforeAll(async () => {
    sims = await startSims({ sdCount: 3, gpt: { latencyMs: 20 }, sd: { latencyMs: 60 } });
    ({ app: testApp, url } = await listening());
  });

  afterAll(async () => {
    await testApp?.close();
    await sims?.closeAll();
  });

  beforeEach(async () => {
    await sims.resetAll();
  });

  it("the front end's pattern (type 1 twice, type 3 three times, at once) makes one run's images per distinct request", async () => {
    const username = uniqueName('pattern');
    const who = { 'X-InsPilot-User': username };
    const answers = await Promise.all([generate(1, TYPE1, who), generate(1, TYPE1, who), generate(3, TYPE3, who), generate(3, TYPE3, who), generate(3, TYPE3, who)]);
    expect(answers.map((answer) => [answer.status, answer.body.success])).toEqual(Array.from({ length: 5 }, () => [200, true]));
    // Every caller has the whole answer: three creatives of type 1, three of type 3.
    expect(answers[0].body).toEqual(answers[1].body);
    expect(answers[2].body).toEqual(answers[3].body);
    expect(answers[2].body).toEqual(answers[4].body);
    expect(answers[0].body.data).toMatchObject({ schemeId: 2, count: 3 });
    expect((answers[2].body.data as { result: unknown[] }).result).toHaveLength(3);

    // Type 1 makes three scene pictures; type 3 a scene and a product for each of its three.
    expect(madeImages()).toBe(3 + 6);
    // GPT: type 1 asks six steps, type 3 four; each once.
    expect(sims.gpt.stats().requests).toBe(6 + 4);
    const mine = await records(testApp, `username=${username}`);
    expect(mine.map((record) => [record.type, record.status, record.requests]).sort()).toEqual([
      [1, 'succeeded', 2],
      [3, 'succeeded', 3],
    ]);
  });

  it('with GENERATE_DEDUPE=false, each identical request runs', async () => {
    const off = await listening({ GENERATE_DEDUPE: 'false' });
    try {
      const username = uniqueName('off');
      const answers = await Promise.all([1, 2].map(() => generate(1, TYPE1, { 'X-InsPilot-User': username }, undefined, off.url)));
      expect(answers.every((answer) => answer.body.success)).toBe(true);
      expect(madeImages()).toBe(2 * 3);
      expect((await records(off.app, `username=${username}`)).map((record) => record.requests)).toEqual([1, 1]);
    } finally {
      await off.app.close();
    }
  });

  it('never shares a run between participants, nor between unnamed clients of different browsers', async () => {
    const [alice, bob] = [uniqueName('alice'), uniqueName('bob')];
    const answers = await Promise.all([
      generate(1, TYPE1, { 'X-InsPilot-User': alice }),
      generate(1, TYPE1, { 'X-InsPilot-User': bob }),
      generate(1, TYPE1, { 'User-Agent': 'browser A' }),
      generate(1, TYPE1, { 'User-Agent': 'browser B' }),
    ]);
    expect(answers.every((answer) => answer.body.success)).toBe(true);
    expect(madeImages()).toBe(4 * 3);
    expect((await records(testApp, `username=${alice}`)).map((record) => record.requests)).toEqual([1]);
  });

  it('a request that differs only in key order joins; one that differs in an input does not', async () => {
    const who = { 'X-InsPilot-User': uniqueName('order') };
    const reordered = { num: TYPE0.num, task: TYPE0.task };
    const answers = await Promise.all([generate(0, TYPE0, who), generate(0, reordered, who), generate(0, { ...TYPE0, num: 2 }, who)]);
    expect(answers.every((answer) => answer.body.success)).toBe(true);
    expect(answers[0].body).toEqual(answers[1].body);
    expect(madeImages()).toBe(3 + 2);
  });

  it('one caller walking away does not cancel the run the others wait for; the last one to go does', async () => {
    await Promise.all(sims.sds.map((sd) => sd.configure({ latencyMs: 400 })));
    const username = uniqueName('walk');
    const who = { 'X-InsPilot-User': username };
    const leaving = new AbortController();
    const gone = generate(0, TYPE0, who, leaving.signal).catch((error: Error) => error.name);
    const staying = generate(0, TYPE0, who);
    expect(await eventually(() => sims.sds.some((sd) => sd.stats().inFlight > 0))).toBe(true);
    leaving.abort();
    expect(await gone).toBe('AbortError');
    const answer = await staying;
    expect(answer.body).toMatchObject({ success: true, data: { count: 3 } });
    expect(madeImages()).toBe(3);
    expect((await records(testApp, `username=${username}`)).map((record) => [record.status, record.requests])).toEqual([['succeeded', 2]]);

    // Both walk away: nobody waits, so the run stops.
    sims.clearEvents();
    const again = uniqueName('both');
    const controllers = [new AbortController(), new AbortController()];
    const both = controllers.map((controller) => generate(0, TYPE0, { 'X-InsPilot-User': again }, controller.signal).catch((error: Error) => error.name));
    expect(await eventually(() => sims.sds.some((sd) => sd.stats().inFlight > 0))).toBe(true);
    controllers[0].abort();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sims.sdEvents().some((event) => event.outcome === 'aborted')).toBe(false);
    controllers[1].abort();
    expect(await Promise.all(both)).toEqual(['AbortError', 'AbortError']);
    expect(await eventually(async () => (await records(testApp, `username=${again}`))[0]?.status === 'cancelled')).toBe(true);
    expect(sims.sdEvents().filter((event) => event.outcome === 'ok').length).toBeLessThan(3);
  });

  it('POST /jobs joins too: the same jobId; a /generate joining a POST /jobs job leaves it running when it goes', async () => {
    await Promise.all(sims.sds.map((sd) => sd.configure({ latencyMs: 300 })));
    const username = uniqueName('jobs');
    const server = testApp.app.getHttpServer();
    const post = () => request(server).post('/jobs').set('X-InsPilot-User', username).send({ appid: 0, type: 0, prompts: TYPE0 });
    const [first, second] = await Promise.all([post(), post()]);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.data.jobId).toBe(first.body.data.jobId);
    expect(second.headers.location).toBe(first.headers.location);
    const { jobId } = first.body.data as { jobId: string };

    const leaving = new AbortController();
    const gone = generate(0, TYPE0, { 'X-InsPilot-User': username }, leaving.signal).catch((error: Error) => error.name);
    expect(await eventually(async () => (await request(server).get(`/jobs/${jobId}`)).body.data.requests === 3)).toBe(true);
    leaving.abort();
    expect(await gone).toBe('AbortError');

    let job: { status: string; requests: number; data?: { count: number } } | undefined;
    expect(
      await eventually(async () => {
        job = (await request(server).get(`/jobs/${jobId}`)).body.data;
        return job!.status !== 'queued' && job!.status !== 'running';
      }, 100),
    ).toBe(true);
    expect(job).toMatchObject({ status: 'succeeded', requests: 3, data: { count: 3 } });
    expect(madeImages()).toBe(3);
  });

  it('a /generate waiting on a job that is cancelled with DELETE is answered 499, cancelled', async () => {
    await Promise.all(sims.sds.map((sd) => sd.configure({ latencyMs: 60_000 })));
    const username = uniqueName('deleted');
    const server = testApp.app.getHttpServer();
    const created = await request(server).post('/jobs').set('X-InsPilot-User', username).send({ appid: 0, type: 0, prompts: TYPE0 });
    const waiting = generate(0, TYPE0, { 'X-InsPilot-User': username });
    expect(await eventually(async () => (await request(server).get(`/jobs/${created.body.data.jobId}`)).body.data.requests === 2)).toBe(true);
    await request(server).delete(`/jobs/${created.body.data.jobId}`).expect(200);
    expect(await waiting).toEqual({
      status: 499,
      body: { success: false, data: null, code: 1, message: `Generation cancelled by its caller: cancelled with DELETE /jobs/${created.body.data.jobId}` },
    });
  });
});
