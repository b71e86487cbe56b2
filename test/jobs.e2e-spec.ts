/**
 * Generation jobs over HTTP: POST /jobs, GET /jobs/:id, the event stream at /jobs/:id/events and
 * DELETE /jobs/:id, against the real database and the simulators. One SD instance, so a run's
 * images are made one after another and its events come in an order the tests can reason about.
 */
import request from 'supertest';
import { createTestApp, TestApp } from './support/test-app';
import { eventually, startSims, type Sims } from './support/simulators';
import { uniqueName } from './support/builders';
import { collectSse, type SseEvent } from '../tools/sse';
import { Types } from 'mongoose';
import { ExperimentsRepository } from '../src/experiments/experiments.repository';
import { JobEvents } from '../src/jobs/job-events.service';

const KEY = 'research-key-for-the-jobs-tests';
const TYPE0 = { task: '设计一款运动辅助产品', num: 3 };
const TYPE3 = { selectedSchemes: [{ designTexts: ['可折叠', '夜跑照明'] }], num: 2 };
const SLOW_MS = 60_000;
const ENDED = ['succeeded', 'partly-succeeded', 'failed', 'cancelled', 'interrupted'];

interface Job {
  jobId: string;
  app: number;
  type: number;
  status: string;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  requests: number;
  data?: { count?: number; result: unknown[] };
  error?: { code: number; message: string };
}

interface Parsed {
  id: number;
  event: string;
  data: any;
  at: number;
}

const parse = (events: SseEvent[]): Parsed[] => events.map((event) => ({ id: Number(event.id), event: event.event, data: JSON.parse(event.data), at: event.at }));

/** Every image (bare base64) anywhere in a result. */
function imagesIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => imagesIn(item, found));
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'image' && typeof item === 'string') found.push(item);
      else imagesIn(item, found);
    }
  }
  return found;
}

describe('generation jobs (e2e, simulators)', () => {
  let sims: Sims;
  let testApp: TestApp;
  let server: ReturnType<TestApp['app']['getHttpServer']>;
  let url: string;

  const createJob = (type: number, prompts: object, headers: Record<string, string> = {}) =>
    request(server).post('/jobs').set(headers).send({ appid: 0, type, prompts });
  const getJob = (id: string) => request(server).get(`/jobs/${id}`);
  const streamOf = (id: string, options: Parameters<typeof collectSse>[1] = {}) => collectSse(`${url}/jobs/${id}/events`, options);

  async function endedJob(id: string): Promise<Job> {
    let job: Job | undefined;
    expect(
      await eventually(async () => {
        job = (await getJob(id)).body.data as Job;
        return ENDED.includes(job.status);
      }, 200),
    ).toBe(true);
    return job!;
  }

  async function research<T>(path: string): Promise<T> {
    const response = await request(server).get(path).set('X-API-Key', KEY);
    expect(response.status).toBe(200);
    return response.body.data as T;
  }

  /** Nothing the simulators were asked is still running, and nothing new comes a moment later. */
  async function expectNothingRunning(): Promise<void> {
    const all = [sims.gpt, ...sims.sds];
    expect(await eventually(() => all.every((sim) => sim.stats().inFlight === 0), 100)).toBe(true);
    const seen = all.map((sim) => sim.stats().requests);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(all.map((sim) => sim.stats().requests)).toEqual(seen);
  }

  beforeAll(async () => {
    sims = await startSims({ sdCount: 1, gpt: { latencyMs: 20 }, sd: { latencyMs: 40 } });
    testApp = await createTestApp({ ...sims.env, RESEARCH_API_KEY: KEY });
    await testApp.app.listen(0, '127.0.0.1');
    server = testApp.app.getHttpServer();
    url = (await testApp.app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await testApp?.close();
    await sims?.closeAll();
  });

  beforeEach(async () => {
    await sims.resetAll();
  });

  describe('lifecycle', () => {
    it('answers 202 with the jobId and its Location, then the job ends with exactly the data /generate answers', async () => {
      // The simulators are deterministic from a reset: the same inputs make the same answer.
      const generated = await request(server).post('/generate').send({ appid: 0, type: 0, prompts: TYPE0 });
      expect(generated.body).toMatchObject({ success: true });
      await sims.resetAll();

      const created = await createJob(0, TYPE0);
      expect(created.status).toBe(202);
      expect(created.body).toEqual({ success: true, code: 0, message: '', data: { jobId: expect.stringMatching(/^[0-9a-f]{24}$/) } });
      const { jobId } = created.body.data as { jobId: string };
      expect(created.headers.location).toBe(`/jobs/${jobId}`);

      const early = (await getJob(jobId)).body.data as Job;
      expect(early).toMatchObject({ jobId, app: 0, type: 0, endedAt: null, requests: 1 });
      expect(['queued', 'running']).toContain(early.status);
      expect(early).not.toHaveProperty('data');

      const job = await endedJob(jobId);
      expect(job).toMatchObject({ jobId, app: 0, type: 0, status: 'succeeded', requests: 1 });
      expect(job.data).toEqual(generated.body.data);
      expect(Date.parse(job.createdAt)).toBeLessThanOrEqual(Date.parse(job.startedAt!));
      expect(Date.parse(job.startedAt!)).toBeLessThanOrEqual(Date.parse(job.endedAt!));
      // The job is the experiment record.
      expect(await research<{ status: string; requests: number }>(`/experiments/${jobId}`)).toMatchObject({ status: 'succeeded', requests: 1 });
    });

    it('ends failed with the provider failure when a step cannot be made', async () => {
      await sims.gpt.configure({ errorRate: 1, errorStatus: 400 });
      const { jobId } = (await createJob(0, TYPE0)).body.data as { jobId: string };
      const job = await endedJob(jobId);
      expect(job).toMatchObject({ status: 'failed', error: { code: 2, message: expect.stringContaining('products') } });
      expect(job).not.toHaveProperty('data');
      const events = parse((await streamOf(jobId)).events);
      expect(events.at(-1)).toMatchObject({ event: 'failed', data: job.error });
    });
  });

  describe('the event stream', () => {
    it('tells each step, each image, each creative before the last image, then done with the whole result', async () => {
      const { jobId } = (await createJob(0, TYPE0)).body.data as { jobId: string };
      const answer = await streamOf(jobId);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const events = parse(answer.events);
      expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
      const done = events.at(-1)!;
      expect(done.event).toBe('done');
      expect(done.data.data).toEqual((await endedJob(jobId)).data);

      const steps = events.filter((event) => event.event === 'step');
      for (const name of ['products', 'scenes', 'sdPrompts', 'images', 'abstracts']) {
        const own = steps.filter((event) => event.data.name === name);
        expect(own.map((event) => event.data.status)).toEqual(['started', 'succeeded']);
        expect(Number.isNaN(Date.parse(own[0].data.at))).toBe(false);
      }
      const images = events.filter((event) => event.event === 'image');
      expect(images.map((event) => event.data.index).sort()).toEqual([0, 1, 2]);
      expect(images.map((event) => event.data.image).sort()).toEqual(imagesIn(done.data.data).sort());
      expect(images.every((event) => event.data.step === 'images' && event.data.imageId === `${jobId}-images-${event.data.index}`)).toBe(true);

      const creatives = events.filter((event) => event.event === 'creative');
      expect(creatives.map((event) => event.data.index).sort()).toEqual([0, 1, 2]);
      for (const creative of creatives) expect(creative.data.creative).toEqual(done.data.data.result[creative.data.index]);
      // The first creative is out while images are still being made, and well before the end.
      expect(creatives[0].id).toBeLessThan(images[2].id);
      expect(creatives[0].at).toBeLessThan(images[2].at);
      expect(creatives.every((creative) => creative.id < done.id)).toBe(true);
    });

    it('type 3: a creative comes once its scene, its product and its statement exist, before the last image', async () => {
      const { jobId } = (await createJob(3, TYPE3)).body.data as { jobId: string };
      const events = parse((await streamOf(jobId)).events);
      const done = events.at(-1)!;
      expect(done.event).toBe('done');
      const images = events.filter((event) => event.event === 'image');
      expect(images).toHaveLength(4);
      const creatives = events.filter((event) => event.event === 'creative');
      expect(creatives.map((event) => event.data.index).sort()).toEqual([0, 1]);
      for (const creative of creatives) {
        expect(creative.data.creative).toEqual(done.data.data.result[creative.data.index]);
        const own = images.filter((image) => image.data.index === creative.data.index);
        expect(own.map((image) => image.data.step).sort()).toEqual(['productImages', 'sceneImages']);
        expect(Math.max(...own.map((image) => image.id))).toBeLessThan(creative.id);
      }
      expect(Math.min(...creatives.map((event) => event.id))).toBeLessThan(images.at(-1)!.id);
    });

    it('type 2 has steps and done only', async () => {
      const prompts = { designTask: '设计一款运动辅助产品', selectNum: 1, schemes: [{ designTexts: ['可折叠'] }, { designTexts: ['夜跑'] }] };
      const { jobId } = (await createJob(2, prompts)).body.data as { jobId: string };
      const events = parse((await streamOf(jobId)).events);
      expect(events.map((event) => event.event)).toEqual(['step', 'step', 'step', 'step', 'done']);
    });

    it('gives a late subscriber the events so far, then the live ones, and a finished job\'s stream replays and ends', async () => {
      await sims.sds[0].configure({ latencyMs: 300 });
      const { jobId } = (await createJob(0, TYPE0)).body.data as { jobId: string };
      const first = streamOf(jobId);
      // Mid-run: the images step has started, so several events exist already.
      expect(await eventually(() => sims.sds[0].stats().inFlight === 1)).toBe(true);
      const late = await streamOf(jobId);
      const early = await first;
      expect(parse(late.events).map(({ id, event, data }) => ({ id, event, data }))).toEqual(
        parse(early.events).map(({ id, event, data }) => ({ id, event, data })),
      );
      // The late one had a past: more than one event arrived in its first moment.
      const lateEvents = parse(late.events);
      expect(lateEvents.filter((event) => event.at - lateEvents[0].at < 5).length).toBeGreaterThan(3);

      const replay = await streamOf(jobId);
      expect(replay.events.map((event) => event.data)).toEqual(early.events.map((event) => event.data));
    });

    it("keeps a POST /jobs job's events after its end; a /generate's job, whose caller had its answer, is replayed from its record", async () => {
      const log = testApp.app.get(JobEvents);
      const username = uniqueName('answered');
      const answered = await request(server).post('/generate').set('X-InsPilot-User', username).send({ appid: 0, type: 0, prompts: TYPE0 });
      const [record] = (await research<{ items: { _id: string }[] }>(`/experiments?username=${username}`)).items;
      expect(await log.follow(record._id, 0)).toBeUndefined();
      const replayed = parse((await streamOf(record._id)).events);
      expect(replayed.at(-1)).toMatchObject({ event: 'done', data: { data: answered.body.data } });
      expect(replayed.filter((event) => event.event === 'creative')).toHaveLength(3);

      const { jobId } = (await createJob(0, TYPE0)).body.data as { jobId: string };
      await endedJob(jobId);
      expect(await log.follow(jobId, 0)).toBeDefined();
    });

    it('resumes after Last-Event-ID', async () => {
      const { jobId } = (await createJob(0, TYPE0)).body.data as { jobId: string };
      const whole = parse((await streamOf(jobId)).events);
      const rest = parse((await streamOf(jobId, { headers: { 'Last-Event-ID': '5' } })).events);
      expect(rest[0].id).toBe(6);
      expect(rest.map(({ id, event, data }) => ({ id, event, data }))).toEqual(whole.slice(5).map(({ id, event, data }) => ({ id, event, data })));
      // Nothing after the last event of an ended job: 204, which stops an EventSource reconnecting.
      const after = await streamOf(jobId, { headers: { 'Last-Event-ID': String(whole.length) } });
      expect(after).toMatchObject({ status: 204, events: [] });
    });

    it('leaves the job running when its subscriber goes away', async () => {
      await sims.sds[0].configure({ latencyMs: 200 });
      const { jobId } = (await createJob(0, TYPE0)).body.data as { jobId: string };
      const cut = await streamOf(jobId, { until: (event) => event.event === 'image' });
      expect(cut.events.at(-1)!.event).toBe('image');
      expect((await endedJob(jobId)).status).toBe('succeeded');
      expect(sims.sdEvents().filter((event) => event.outcome === 'ok')).toHaveLength(3);
    });
  });

  describe('cancelling', () => {
    it('DELETE stops the running image, takes the queued ones off the queue, and the job reads cancelled', async () => {
      await sims.sds[0].configure({ latencyMs: SLOW_MS });
      const { jobId } = (await createJob(0, TYPE0)).body.data as { jobId: string };
      const stream = streamOf(jobId);
      expect(await eventually(() => sims.sds[0].stats().inFlight === 1)).toBe(true);

      const cancelled = await request(server).delete(`/jobs/${jobId}`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.data).toMatchObject({
        jobId,
        status: 'cancelled',
        error: { code: 1, message: `Generation cancelled by its caller: cancelled with DELETE /jobs/${jobId}` },
      });
      await expectNothingRunning();
      // One image was running (and was interrupted); the two queued never reached the instance.
      expect(sims.sdEvents().map((event) => event.outcome)).toEqual(['aborted']);
      expect(sims.sds[0].interrupts().length).toBeGreaterThanOrEqual(1);
      const events = parse((await stream).events);
      expect(events.at(-1)).toMatchObject({ event: 'failed', data: cancelled.body.data.error });
      expect(events.some((event) => event.event === 'done' || event.event === 'creative')).toBe(false);
      expect((await getJob(jobId)).body.data).toMatchObject({ status: 'cancelled' });
      expect(await research<{ status: string }>(`/experiments/${jobId}`)).toMatchObject({ status: 'cancelled' });
    });

    it('DELETE gives up a GPT call in flight', async () => {
      await sims.gpt.configure({ latencyMs: SLOW_MS });
      const { jobId } = (await createJob(0, TYPE0)).body.data as { jobId: string };
      expect(await eventually(() => sims.gpt.stats().inFlight === 1)).toBe(true);
      expect((await request(server).delete(`/jobs/${jobId}`)).body.data).toMatchObject({ status: 'cancelled' });
      await expectNothingRunning();
      expect(sims.gpt.events().map((event) => event.outcome)).toEqual(['aborted']);
    });

    it('cancelling a job that has ended is a 409 that leaves it as it ended', async () => {
      const { jobId } = (await createJob(0, TYPE0)).body.data as { jobId: string };
      const ended = await endedJob(jobId);
      const again = await request(server).delete(`/jobs/${jobId}`);
      expect(again.status).toBe(409);
      expect(again.body).toEqual({
        success: false,
        data: null,
        code: 1,
        message: `Job ${jobId} has already ended (succeeded); there is nothing to cancel.`,
      });
      expect((await getJob(jobId)).body.data).toEqual(ended);
    });

    it('a /generate whose client goes away is cancelled: the simulators stop and the record says cancelled', async () => {
      await sims.sds[0].configure({ latencyMs: SLOW_MS });
      const username = uniqueName('gone');
      const controller = new AbortController();
      const answer = fetch(`${url}/generate`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-InsPilot-User': username },
        body: JSON.stringify({ appid: 0, type: 0, prompts: TYPE0 }),
        signal: controller.signal,
      }).catch((error: Error) => error.name);
      expect(await eventually(() => sims.sds[0].stats().inFlight === 1)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 300));
      controller.abort();
      expect(await answer).toBe('AbortError');

      await expectNothingRunning();
      expect(sims.sdEvents().map((event) => event.outcome)).toEqual(['aborted']);
      const page = await research<{ items: { _id: string; status: string }[] }>(`/experiments?username=${username}`);
      expect(page.items).toHaveLength(1);
      const record = await research<{ status: string; error: { code: number; message: string } }>(`/experiments/${page.items[0]._id}`);
      expect(record).toMatchObject({ status: 'cancelled', error: { code: 1, message: 'Generation cancelled by its caller: the client closed the connection' } });
    });
  });

  describe('once a finished job has left memory (JOB_EVENTS_RETENTION_MS=0)', () => {
    let forgetful: TestApp;
    let forgetfulUrl: string;

    beforeAll(async () => {
      forgetful = await createTestApp({ ...sims.env, RESEARCH_API_KEY: KEY, JOB_EVENTS_RETENTION_MS: '0' });
      await forgetful.app.listen(0, '127.0.0.1');
      forgetfulUrl = (await forgetful.app.getUrl()).replace('[::1]', '127.0.0.1');
    });

    afterAll(async () => {
      await forgetful?.close();
    });

    const start = async (type: number, prompts: object) =>
      ((await request(forgetful.app.getHttpServer()).post('/jobs').send({ appid: 0, type, prompts })).body.data as { jobId: string }).jobId;
    const events = (id: string, headers: Record<string, string> = {}) => collectSse(`${forgetfulUrl}/jobs/${id}/events`, { headers });
    const key = (event: Parsed) => JSON.stringify([event.event, event.data]);

    it('replays its stream from the record: the same steps, images, creatives and result', async () => {
      const jobId = await start(3, TYPE3);
      const live = parse((await events(jobId)).events);
      expect(live.at(-1)!.event).toBe('done');
      // Dropped at its end: what follows is read back from the record.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const replayed = parse((await events(jobId)).events);
      expect(replayed.map((event) => event.id)).toEqual(live.map((_, index) => index + 1));
      expect(replayed.map(key).sort()).toEqual(live.map(key).sort());
      expect(replayed.at(-1)).toEqual({ ...live.at(-1)!, at: expect.any(Number) });
      // Each creative after the images it holds, as it happened.
      for (const creative of replayed.filter((event) => event.event === 'creative')) {
        const own = replayed.filter((event) => event.event === 'image' && event.data.index === creative.data.index);
        expect(own).toHaveLength(2);
        expect(own.every((image) => image.id < creative.id)).toBe(true);
      }
      const rest = parse((await events(jobId, { 'Last-Event-ID': String(replayed.length - 1) })).events);
      expect(rest.map((event) => event.event)).toEqual(['done']);
      expect((await events(jobId, { 'Last-Event-ID': String(replayed.length) })).status).toBe(204);

      const job = (await request(forgetful.app.getHttpServer()).get(`/jobs/${jobId}`)).body.data as Job;
      expect(job).toMatchObject({ status: 'succeeded', data: live.at(-1)!.data.data });
    });

    it('replays a cancelled job up to its failure', async () => {
      await sims.sds[0].configure({ latencyMs: SLOW_MS });
      const jobId = await start(0, TYPE0);
      expect(await eventually(() => sims.sds[0].stats().inFlight === 1)).toBe(true);
      await request(forgetful.app.getHttpServer()).delete(`/jobs/${jobId}`).expect(200);
      const replayed = parse((await events(jobId)).events);
      expect(replayed.filter((event) => event.event === 'step' && event.data.status === 'started').map((event) => event.data.name)).toEqual(
        expect.arrayContaining(['products', 'scenes', 'sdPrompts', 'images', 'abstracts']),
      );
      expect(replayed.find((event) => event.data.name === 'images' && event.data.status === 'failed')).toBeDefined();
      expect(replayed.at(-1)).toMatchObject({ event: 'failed', data: { code: 1, message: `Generation cancelled by its caller: cancelled with DELETE /jobs/${jobId}` } });
    });
  });

  it('a job left queued by a process that stopped reads interrupted, and its stream ends failed', async () => {
    const repository = testApp.app.get(ExperimentsRepository);
    const id = new Types.ObjectId();
    const past = new Date(Date.now() - 60_000);
    await repository.create({ _id: id, appId: 0, appName: 'paint', type: 0, pipeline: 'rapid-divergence', inputs: JSON.stringify(TYPE0), status: 'queued', createdAt: past, startedAt: past, serviceVersion: 'test', steps: {}, images: [], requests: 1 } as never);
    expect(await repository.markInterrupted(new Date())).toBeGreaterThanOrEqual(1);
    const job = (await getJob(String(id))).body.data as Job;
    expect(job).toMatchObject({ status: 'interrupted', error: { code: 3, message: expect.stringMatching(/^Interrupted/) }, requests: 1 });
    expect(parse((await streamOf(String(id))).events)).toMatchObject([{ id: 1, event: 'failed', data: job.error }]);
    expect((await request(server).delete(`/jobs/${id}`)).status).toBe(409);
  });

  it('documents the job routes: the envelope, the 202 and its Location, the failures, and the event stream', async () => {
    const doc = (await request(server).get('/docs-json')).body;
    const create = doc.paths['/jobs'].post;
    expect(create.requestBody.content['application/json'].schema.oneOf).toContainEqual({ $ref: '#/components/schemas/PaintRapidDivergenceRequest' });
    expect(create.responses['202'].content['application/json'].schema.properties.data.$ref).toBe('#/components/schemas/JobCreatedDto');
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['400', '413', '429', '503']));
    expect(doc.paths['/jobs/{id}'].get.responses['200'].content['application/json'].schema.properties.data.$ref).toBe('#/components/schemas/JobDto');
    expect(Object.keys(doc.paths['/jobs/{id}'].delete.responses)).toEqual(expect.arrayContaining(['200', '404', '409']));
    expect(doc.components.schemas.JobDto.properties.status.enum).toEqual([
      'queued',
      'running',
      'succeeded',
      'partly-succeeded',
      'failed',
      'cancelled',
      'interrupted',
    ]);
    const events = doc.paths['/jobs/{id}/events'].get;
    const stream = events.responses['200'].content['text/event-stream'];
    expect(stream.schema.properties.event.enum).toEqual(['step', 'image', 'creative', 'done', 'failed']);
    for (const dto of ['StepEventDto', 'ImageEventDto', 'CreativeEventDto', 'DoneEventDto', 'FailedEventDto']) expect(doc.components.schemas[dto]).toBeDefined();
    expect(events.responses['404'].content['application/json']).toBeDefined();
    expect(events.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(expect.arrayContaining(['id', 'Last-Event-ID']));
  });

  describe('refusals and bad ids', () => {
    it('refuses a job of an unknown app or with bad inputs as /generate does, storing nothing', async () => {
      const health = async () => (await request(server).get('/health')).body.data.info.generate.refused as number;
      const before = await health();
      const unknown = await request(server).post('/jobs').send({ appid: 99, type: 0, prompts: TYPE0 });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({ success: false, data: null, code: 1, message: expect.stringContaining('Unknown appid 99') });
      expect(unknown.headers.location).toBeUndefined();
      const bad = await createJob(0, { task: '', num: 3 });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('prompts.task');
      expect(await health()).toBe(before + 2);
      expect(sims.gpt.stats().requests).toBe(0);
      const recorded = await research<{ items: unknown[] }>('/experiments?app=99');
      expect(recorded.items).toEqual([]);
    });

    it.each([
      ['get', '/jobs/not-a-job'],
      ['delete', '/jobs/not-a-job'],
      ['get', '/jobs/not-a-job/events'],
      ['get', '/jobs/6746e0c2a1b2c3d4e5f6071'],
    ] as const)('answers %s %s with a 400 naming the id', async (method, path) => {
      const response = await request(server)[method](path);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toMatchObject({ success: false, data: null, code: 1, message: expect.stringMatching(/^Invalid job id "/) });
    });

    it.each([
      ['get', '/jobs/000000000000000000000000'],
      ['delete', '/jobs/000000000000000000000000'],
      ['get', '/jobs/000000000000000000000000/events'],
    ] as const)('answers %s %s of an unknown job with a 404 in the envelope, before any stream', async (method, path) => {
      const response = await request(server)[method](path);
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual({ success: false, data: null, code: 1, message: 'No job 000000000000000000000000.' });
    });

    it('answers a malformed Last-Event-ID with a 400 naming it', async () => {
      const { jobId } = (await createJob(2, { designTask: '任务', selectNum: 1, schemes: [{ designTexts: ['a'] }] })).body.data as { jobId: string };
      const response = await request(server).get(`/jobs/${jobId}/events`).set('Last-Event-ID', 'seven');
      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(/^Invalid Last-Event-ID header "seven"/);
      await endedJob(jobId);
    });
  });
});
