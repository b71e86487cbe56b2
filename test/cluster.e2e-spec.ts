/**
 * Several API processes sharing one Stable Diffusion pool through Redis: two real servers
 * (src/main.ts) on one database and one redis-server, three SD simulators. No instance ever runs
 * two images at once, images start first in first out across nodes, every node shows the same
 * pool, an instance set aside by one node is set aside for all; a node killed mid-run costs the
 * other nothing, its queued images are never made and the slots it held stay taken until their
 * leases run out; a Redis restart costs no request more than REDIS_TIMEOUT_MS.
 */
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { performance } from 'node:perf_hooks';
import { freePort } from '../tools/ferretdb/launcher';
import { collectSse, type SseEvent } from '../tools/sse';
import { parseExposition, sum, type Scrape } from './support/prometheus';
import { baseEnv, startApiProcess, stopApiProcess, type ApiProcess } from './support/api-process';
import { startRedis, type TestRedis } from './support/redis';
import { eventually, startSims, type Sims, type SimEvent } from './support/simulators';
import { isolatedDatabaseUri } from './support/test-app';

const KEY = 'research-key-for-the-cluster-test';
const LEASE_TTL_MS = 3000;
const HEARTBEAT_TTL_MS = 1000;
const REDIS_TIMEOUT_MS = 4000;
/** The least time a slot held by a killed node stays taken: its TTL less the renewal period. */
const LEASE_HELD_AT_LEAST_MS = LEASE_TTL_MS - Math.floor(LEASE_TTL_MS / 3);
const TASK_A = '设计一款厨房用的小工具';
const TASK_B = '设计一款帮助老人出行的产品';
const TASK_B2 = '设计一款儿童学习用品';

interface RecordSummary {
  _id: string;
  status: string;
  nodeId?: string;
}

interface Envelope<T = unknown> {
  success: boolean;
  code: number;
  message: string;
  data: T;
}

interface PoolStatus {
  instances: { name: string; healthy: boolean; state: string; running: number; done: number; failed: number; url?: string }[];
  queued: number;
}


const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A type-0 generation of `num` creatives: one scene picture each. */
async function generate(node: ApiProcess, task: string, num: number, user = 'cluster-user'): Promise<{ status: number; body: Envelope<{ count: number }> }> {
  const response = await fetch(`${node.url}/generate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-InsPilot-User': user },
    body: JSON.stringify({ appid: 0, type: 0, prompts: { task, num } }),
  });
  return { status: response.status, body: (await response.json()) as Envelope<{ count: number }> };
}

async function poolStatus(node: ApiProcess): Promise<PoolStatus> {
  const response = await fetch(`${node.url}/sd/status`, { headers: { 'X-API-Key': KEY } });
  const body = (await response.json()) as Envelope<PoolStatus>;
  if (!body.success) throw new Error(`/sd/status on ${node.url}: ${body.message}`);
  return body.data;
}

async function metricsOf(node: ApiProcess): Promise<Scrape> {
  const response = await fetch(`${node.url}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics on ${node.url}: ${response.status}`);
  return parseExposition(await response.text());
}

/** The pool-wide gauges as one node reports them. */
const poolGauges = (scrape: Scrape) =>
  scrape.samples.filter((sample) => /^inspilot_sd_(queue_depth|jobs_running|instance_healthy|instance_state)$/.test(sample.name));

async function research<T>(node: ApiProcess, path: string): Promise<T> {
  const response = await fetch(`${node.url}${path}`, { headers: { 'X-API-Key': KEY } });
  const body = (await response.json()) as Envelope<T>;
  if (!body.success) throw new Error(`GET ${path}: ${response.status} ${body.message}`);
  return body.data;
}

interface Job {
  jobId: string;
  status: string;
  error?: { code: number; message: string };
}

/** POST /jobs of a type-0 generation of `num` creatives on `node`; answers the jobId. */
async function createJob(node: ApiProcess, task: string, num: number): Promise<string> {
  const response = await fetch(`${node.url}/jobs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-InsPilot-User': 'job-user' },
    body: JSON.stringify({ appid: 0, type: 0, prompts: { task, num } }),
  });
  const body = (await response.json()) as Envelope<{ jobId: string }>;
  if (response.status !== 202) throw new Error(`POST /jobs: ${response.status} ${body.message}`);
  return body.data.jobId;
}

async function jobCall(node: ApiProcess, id: string, method = 'GET'): Promise<{ status: number; body: Envelope<Job> }> {
  const response = await fetch(`${node.url}/jobs/${id}`, { method });
  return { status: response.status, body: (await response.json()) as Envelope<Job> };
}

const streamOf = (node: ApiProcess, id: string, headers: Record<string, string> = {}) => collectSse(`${node.url}/jobs/${id}/events`, { headers });
const parsed = (events: SseEvent[]) => events.map((event) => ({ id: Number(event.id), event: event.event, data: JSON.parse(event.data) as unknown }));

/** The real images asked of the simulators (probe images are 64×64). */
const imagesOf = (events: SimEvent[]) => events.filter((event) => event.kind === 'txt2img' && event.meta.width !== 64);

describe('several API processes share one Stable Diffusion pool (e2e: 2 × src/main.ts, redis-server, 3 SD simulators)', () => {
  let redis: TestRedis;
  let sims: Sims;
  let databaseUri: string;
  let env: NodeJS.ProcessEnv;
  let a: ApiProcess;
  let b: ApiProcess;
  /** How a node whose Redis does not answer ends its start. */
  let unreachable: Promise<string>;
  const started: ApiProcess[] = [];

  const startNode = async () => {
    const node = await startApiProcess(env);
    started.push(node);
    return node;
  };

  beforeAll(async () => {
    [redis, sims] = await Promise.all([startRedis(), startSims({ sdCount: 3, gpt: { latencyMs: 5 }, sd: { latencyMs: 50 } })]);
    databaseUri = isolatedDatabaseUri();
    env = {
      ...baseEnv(),
      ...sims.env,
      MONGODB_URI: databaseUri,
      RESEARCH_API_KEY: KEY,
      REDIS_URL: redis.url,
      REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
      NODE_HEARTBEAT_TTL_MS: String(HEARTBEAT_TTL_MS),
      SD_LEASE_TTL_MS: String(LEASE_TTL_MS),
      // What a restarted node marks at its start is checked here; the periodic sweep of gone
      // nodes' records (test/maintenance.e2e-spec.ts) would mark them sooner.
      GONE_NODES_SWEEP_MS: '86400000',
      // No image here is slow enough to count as stalled: stalls are the fault suite's subject.
      SD_STALL_FLOOR_MS: '60000',
      SD_RETRY_BACKOFF_MS: '2000',
    };
    const nowhere = `redis://127.0.0.1:${await freePort()}`;
    unreachable = startApiProcess({ ...env, REDIS_URL: nowhere, REDIS_TIMEOUT_MS: '500' }).then(
      (node) => {
        started.push(node);
        return 'started';
      },
      (error: Error) => error.message,
    );
    [a, b] = await Promise.all([startNode(), startNode()]);
  });

  it('refuses to start a node whose Redis does not answer, naming the variable', async () => {
    const outcome = await unreachable;
    expect(outcome).toMatch(/the server exited with 1/);
    expect(outcome).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ did not answer within REDIS_TIMEOUT_MS \(500 ms\); start it or fix REDIS_URL/);
  });

  afterAll(async () => {
    await Promise.all(started.map((node) => stopApiProcess(node, 'SIGKILL')));
    await Promise.all([sims?.closeAll(), redis?.close()]);
    if (databaseUri) {
      const connection = await mongoose.createConnection(databaseUri).asPromise();
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    }
  });

  beforeEach(async () => {
    await sims.resetAll();
  });

  it('runs 16 concurrent generations spread over both nodes, never two images on one instance', async () => {
    for (const sd of sims.sds) await sd.configure({ latencyMs: 150 });
    const answers = await Promise.all(Array.from({ length: 16 }, (_, index) => generate(index % 2 ? b : a, `并发任务 ${index}`, 2)));
    for (const { status, body } of answers) expect({ status, success: body.success, count: body.data?.count }).toEqual({ status: 200, success: true, count: 2 });
    const images = imagesOf(sims.sdEvents());
    expect(images).toHaveLength(32);
    expect(images.every((event) => event.status === 200)).toBe(true);
    for (const sd of sims.sds) {
      expect(sd.stats().maxConcurrent).toBe(1);
      // The pool used every instance.
      expect(imagesOf(sd.events()).length).toBeGreaterThan(0);
    }
    const [fromA, fromB] = await Promise.all([poolStatus(a), poolStatus(b)]);
    expect(fromA).toEqual(fromB);
    expect(fromA.queued).toBe(0);
    expect(fromA.instances.reduce((sum, instance) => sum + instance.done, 0)).toBe(32);
  });

  it('starts images first in first out across nodes, and both nodes show the same queue and instances', async () => {
    // sd-1 frees first, so it takes the earliest waiting image, then the next one.
    const [fast, ...slow] = sims.sds;
    await fast.configure({ latencyMs: 1200 });
    for (const sd of slow) await sd.configure({ latencyMs: 4000 });
    const filling = generate(a, '先占满三台', 3);
    expect(await eventually(() => sims.sds.every((sd) => sd.stats().inFlight === 1), 200)).toBe(true);

    const earlier = generate(a, '先到的任务', 1).then((answer) => ({ answer, at: performance.now() }));
    expect(await eventually(async () => (await poolStatus(b)).queued === 1, 200)).toBe(true);
    const later = generate(b, '后到的任务', 1).then((answer) => ({ answer, at: performance.now() }));
    expect(await eventually(async () => (await poolStatus(a)).queued === 2, 200)).toBe(true);

    const [fromA, fromB] = await Promise.all([poolStatus(a), poolStatus(b)]);
    expect(fromA).toEqual(fromB);
    expect(fromA.instances.map((instance) => [instance.state, instance.running])).toEqual([
      ['busy', 1],
      ['busy', 1],
      ['busy', 1],
    ]);

    const [first, second] = await Promise.all([earlier, later]);
    expect(first.answer.body.success).toBe(true);
    expect(second.answer.body.success).toBe(true);
    // The image queued first on node A was made before the one queued later on node B.
    expect(first.at).toBeLessThan(second.at);
    const order = imagesOf(fast.events()).sort((x, y) => x.startSeq - y.startSeq);
    expect(order).toHaveLength(3);
    expect((await filling).body.success).toBe(true);
    for (const sd of sims.sds) expect(sd.stats().maxConcurrent).toBe(1);
  });

  it('sets an instance that fails for one node aside for every node until a probe proves it', async () => {
    const [, , broken] = sims.sds;
    for (const sd of sims.sds) await sd.configure({ latencyMs: 100 });
    await broken.configure({ refuse: true });
    // Enough images that some reach the broken instance.
    const first = await Promise.all([generate(a, '坏实例一', 3), generate(b, '坏实例二', 3)]);
    for (const { body } of first) expect(body.success).toBe(true);
    const [fromA, fromB] = await Promise.all([poolStatus(a), poolStatus(b)]);
    expect(fromA.instances[2]).toMatchObject({ name: 'sd-3', healthy: false, state: 'failing' });
    expect(fromB.instances[2]).toEqual(fromA.instances[2]);
    expect(fromA.instances[2].failed).toBeGreaterThan(0);
    // The pool-wide gauges come from the shared state: the same on both nodes, whichever saw the failure.
    const [metricsA, metricsB] = await Promise.all([metricsOf(a), metricsOf(b)]);
    expect(sum(metricsA, 'inspilot_sd_instance_healthy', { sd_instance: 'sd-3' })).toBe(0);
    expect(sum(metricsA, 'inspilot_sd_instance_state', { sd_instance: 'sd-3', state: 'failing' })).toBe(1);
    expect(poolGauges(metricsB)).toEqual(poolGauges(metricsA));

    // Neither node sends it an image while it is set aside.
    await broken.configure({ refuse: false });
    broken.clearEvents();
    const more = await Promise.all([generate(a, '坏实例三', 2), generate(b, '坏实例四', 2)]);
    for (const { body } of more) expect(body.success).toBe(true);
    expect(imagesOf(broken.events())).toEqual([]);
    // Then one node's probe brings it back for both.
    expect(await eventually(async () => (await poolStatus(b)).instances[2].healthy, 100, 100)).toBe(true);
    expect((await poolStatus(a)).instances[2]).toMatchObject({ healthy: true, state: 'idle' });
  });

  describe('jobs', () => {
    it('a job submitted on one node is read and streamed from the other, alike, and resumes after Last-Event-ID there', async () => {
      // Slow enough images that B reads the job while it runs, even on a busy machine.
      for (const sd of sims.sds) await sd.configure({ latencyMs: 1500 });
      const jobId = await createJob(a, '跨节点的任务', 2);
      const [onA, onB] = [streamOf(a, jobId), streamOf(b, jobId)];
      // Read on B while A runs it: as its record says.
      expect(await eventually(async () => (await jobCall(b, jobId)).body.data.status === 'running', 100)).toBe(true);

      const [fromA, fromB] = await Promise.all([onA, onB]);
      expect(fromB.status).toBe(200);
      const events = parsed(fromB.events);
      expect(events).toEqual(parsed(fromA.events));
      expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
      const names = events.map((event) => event.event);
      for (const name of ['step', 'image', 'creative']) expect(names).toContain(name);
      expect(names.filter((name) => name === 'image')).toHaveLength(2);
      expect(names.at(-1)).toBe('done');
      const image = events.find((event) => event.event === 'image')!.data as { image: string };
      expect(image.image).toMatch(/^[A-Za-z0-9+/]{100,}=*$/);
      // The record is written beside the run, so on another node it may read `running` a moment after `done`.
      expect(await eventually(async () => (await jobCall(b, jobId)).body.data.status !== 'running', 100)).toBe(true);
      const ended = await jobCall(b, jobId);
      expect(ended.body.data).toMatchObject({ jobId, status: 'succeeded', data: (events.at(-1)!.data as { data: unknown }).data });

      const rest = await streamOf(b, jobId, { 'Last-Event-ID': '3' });
      expect(parsed(rest.events)).toEqual(events.slice(3));
      expect(await streamOf(b, jobId, { 'Last-Event-ID': String(events.length) })).toMatchObject({ status: 204, events: [] });
    });

    it("DELETE on the other node cancels the job where it runs: its images stop and its record reads cancelled", async () => {
      for (const sd of sims.sds) await sd.configure({ latencyMs: 30_000 });
      const jobId = await createJob(a, '跨节点取消', 3);
      const stream = streamOf(b, jobId);
      expect(await eventually(() => sims.sds.every((sd) => sd.stats().inFlight === 1), 200)).toBe(true);

      const at = performance.now();
      const cancelled = await jobCall(b, jobId, 'DELETE');
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.data).toMatchObject({
        jobId,
        status: 'cancelled',
        error: { code: 1, message: `Generation cancelled by its caller: cancelled with DELETE /jobs/${jobId}` },
      });
      expect(performance.now() - at).toBeLessThan(5000);
      // The images in flight were stopped, and no other was asked for.
      expect(await eventually(() => sims.sds.every((sd) => sd.stats().inFlight === 0), 100)).toBe(true);
      const asked = imagesOf(sims.sdEvents()).length;
      await sleep(300);
      expect(imagesOf(sims.sdEvents())).toHaveLength(asked);
      expect(asked).toBe(3);
      const events = parsed((await stream).events);
      expect(events.at(-1)).toMatchObject({ event: 'failed', data: cancelled.body.data.error });
      expect((await jobCall(a, jobId)).body.data).toMatchObject({ status: 'cancelled' });
      expect(await research<{ status: string }>(b, `/experiments/${jobId}`)).toMatchObject({ status: 'cancelled' });

      const again = await jobCall(b, jobId, 'DELETE');
      expect({ status: again.status, success: again.body.success, data: again.body.data }).toEqual({ status: 409, success: false, data: null });
      expect(again.body.message).toMatch(/already ended \(cancelled\)/);
    });
  });

  describe('when a node dies', () => {
    /** The image prompts each task's generation asks for (the simulators answer the same prompt the same way). */
    const prompts = new Map<string, Set<string>>();
    let killedPid: number;
    let killedRecord: () => Promise<RecordSummary | undefined>;

    beforeAll(async () => {
      await sims.resetAll();
      for (const [task, node] of [[TASK_A, a], [TASK_B, b], [TASK_B2, b]] as const) {
        sims.clearEvents();
        expect((await generate(node, task, 3)).body.success).toBe(true);
        prompts.set(task, new Set(imagesOf(sims.sdEvents()).map((event) => event.prompt)));
      }
      const [ofA, ofB, ofB2] = [TASK_A, TASK_B, TASK_B2].map((task) => prompts.get(task)!);
      expect(ofA.size).toBe(3);
      for (const prompt of ofA) expect(ofB.has(prompt) || ofB2.has(prompt)).toBe(false);
    });

    it("finishes the other node's runs, never starts the dead node's queued images, and keeps its slots taken until their leases run out", async () => {
      const redisClient = new Redis(redis.url);
      try {
        for (const sd of sims.sds) await sd.configure({ latencyMs: 2500 });
        const fromB = [generate(b, TASK_B, 3, 'survivor')];
        expect(await eventually(() => sims.sds.every((sd) => sd.stats().inFlight === 1), 200)).toBe(true);
        // Three more of B's images fill both nodes' workers; A's images then wait in the queue itself.
        fromB.push(generate(b, TASK_B2, 3, 'survivor'));
        expect(await eventually(async () => (await poolStatus(b)).queued === 3, 200)).toBe(true);
        const fromA = generate(a, TASK_A, 3, 'casualty').then(
          () => 'answered',
          () => 'connection lost',
        );
        expect(await eventually(async () => (await poolStatus(b)).queued === 6, 200)).toBe(true);

        // Killed while it holds a slot: in this round of images, or else in the next.
        killedPid = a.child.pid!;
        const leasesOfA = async () => {
          const keys = await redisClient.keys('inspilot:sd:lease:*');
          const holders = keys.length ? await redisClient.mget(...keys) : [];
          return keys.filter((_, index) => holders[index]?.includes(`-${killedPid}-`)).map((key) => key.replace(/^inspilot:sd:lease:/, '').replace(/:\d+$/, ''));
        };
        let held = await leasesOfA();
        if (held.length === 0) expect(await eventually(async () => (held = await leasesOfA()).length > 0, 400, 10)).toBe(true);
        const killedAt = performance.now();
        await stopApiProcess(a, 'SIGKILL');
        expect(await fromA).toBe('connection lost');

        for (const { status, body } of await Promise.all(fromB)) expect({ status, success: body.success, count: body.data?.count }).toEqual({ status: 200, success: true, count: 3 });
        await sleep(Math.max(0, killedAt + LEASE_TTL_MS + 500 - performance.now()));

        // None of the dead node's queued images reached an instance.
        const images = imagesOf(sims.sdEvents());
        expect(images.filter((event) => prompts.get(TASK_A)!.has(event.prompt))).toEqual([]);
        // B's six images were all made (one at least twice if it was running in A's worker).
        const made = images.filter((event) => event.status === 200).map((event) => event.prompt);
        for (const prompt of [...prompts.get(TASK_B)!, ...prompts.get(TASK_B2)!]) expect(made).toContain(prompt);
        // An instance A was running an image on took no other before A's lease ran out.
        for (const url of held) {
          const sd = sims.sds.find((each) => each.url === url)!;
          const next = imagesOf(sd.events())
            .filter((event) => event.start > killedAt)
            .sort((x, y) => x.start - y.start)[0];
          if (next) expect(next.start - killedAt).toBeGreaterThanOrEqual(LEASE_HELD_AT_LEAST_MS - 50);
        }
        for (const sd of sims.sds) expect(sd.stats().maxConcurrent).toBe(1);
        killedRecord = async () =>
          (await research<{ items: RecordSummary[] }>(b, '/experiments?username=casualty')).items.find((item) => item.nodeId?.includes(`-${killedPid}-`));
        expect(await killedRecord()).toMatchObject({ status: 'running' });
      } finally {
        redisClient.disconnect();
      }
    });

    it("restarted, it marks only the dead node's records interrupted, never a live node's", async () => {
      for (const sd of sims.sds) await sd.configure({ latencyMs: 60_000 });
      // A generation of B is mid-way while A starts again.
      const giveUp = new AbortController();
      const running = fetch(`${b.url}/generate`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-InsPilot-User': 'still-running' },
        body: JSON.stringify({ appid: 0, type: 0, prompts: { task: TASK_B, num: 1 } }),
        signal: giveUp.signal,
      }).catch(() => 'given up');
      const liveRecord = async () => (await research<{ items: RecordSummary[] }>(b, '/experiments?username=still-running')).items[0];
      expect(await eventually(async () => (await liveRecord())?.status === 'running', 200)).toBe(true);

      a = await startNode();
      expect(await eventually(async () => (await killedRecord())?.status === 'interrupted', 100)).toBe(true);
      expect(await liveRecord()).toMatchObject({ status: 'running', nodeId: expect.not.stringContaining(`-${killedPid}-`) });
      const interrupted = await research<{ items: RecordSummary[] }>(a, '/experiments?status=interrupted');
      expect(interrupted.items.length).toBeGreaterThan(0);
      for (const item of interrupted.items) expect(item.nodeId).toContain(`-${killedPid}-`);

      giveUp.abort();
      await running;
    });
  });

  describe('jobs of a node that is gone', () => {
    it('DELETE of a job whose node died answers it interrupted, as its record now reads', async () => {
      await sims.resetAll();
      for (const sd of sims.sds) await sd.configure({ latencyMs: 30_000 });
      const doomed = await startNode();
      const jobId = await createJob(doomed, '节点消失的任务', 1);
      expect(await eventually(() => sims.sds.some((sd) => sd.stats().inFlight === 1), 200)).toBe(true);
      await stopApiProcess(doomed, 'SIGKILL');
      expect((await jobCall(b, jobId)).body.data).toMatchObject({ status: 'running' });
      // Its heartbeat runs out.
      await sleep(HEARTBEAT_TTL_MS + 200);

      const answer = await jobCall(b, jobId, 'DELETE');
      expect(answer.status).toBe(200);
      expect(answer.body.data).toMatchObject({ jobId, status: 'interrupted', error: { code: expect.any(Number) } });
      expect(await research<{ status: string }>(a, `/experiments/${jobId}`)).toMatchObject({ status: 'interrupted' });
      for (const sd of sims.sds) await sd.configure({ latencyMs: 50 });
    });
  });

  describe('when Redis restarts', () => {
    it('answers 503 within REDIS_TIMEOUT_MS while it is down, and works again once it is back', async () => {
      await sims.resetAll();
      for (const sd of sims.sds) await sd.configure({ latencyMs: 300 });
      const timed = (node: ApiProcess, task: string) => {
        const at = performance.now();
        return generate(node, task, 2).then((answer) => ({ ...answer, ms: performance.now() - at }));
      };
      // Images in flight when it goes, one request while it is down, and it comes back within the bound.
      const inFlight = [timed(a, '重启之前一'), timed(b, '重启之前二')];
      expect(await eventually(() => sims.sds.some((sd) => sd.stats().inFlight > 0), 200)).toBe(true);
      await redis.stop();
      const whileDown = timed(a, '停机之时');
      await sleep(1000);
      await redis.start();
      for (const { status, body, ms } of await Promise.all([...inFlight, whileDown])) {
        // Made, or refused with 503 in the envelope, never left hanging.
        if (!body.success) expect({ status, code: body.code, data: body.data }).toEqual({ status: 503, code: 2, data: null });
        expect(ms).toBeLessThan(REDIS_TIMEOUT_MS + 3000);
      }
      expect(await eventually(async () => (await Promise.all([poolStatus(a), poolStatus(b)])).every((pool) => pool.queued === 0), 100, 100)).toBe(true);
      const after = await Promise.all([timed(a, '恢复之后一'), timed(b, '恢复之后二'), timed(a, '恢复之后三'), timed(b, '恢复之后四')]);
      for (const { status, body } of after) expect({ status, success: body.success }).toEqual({ status: 200, success: true });

      // Down for longer than the bound: the request fails with 503 naming the pool's Redis, in time.
      await redis.stop();
      try {
        const { status, body, ms } = await timed(b, '长时间停机');
        expect({ status, success: body.success, code: body.code }).toEqual({ status: 503, success: false, code: 2 });
        expect(body.message).toMatch(/Redis/);
        expect(ms).toBeGreaterThanOrEqual(REDIS_TIMEOUT_MS - 100);
        expect(ms).toBeLessThan(REDIS_TIMEOUT_MS + 3000);
        // The node's own metrics still answer; the pool-wide gauges it cannot read are unknown (NaN) or left out, not made up.
        const metrics = await metricsOf(b);
        expect(metrics.types.has('process_cpu_user_seconds_total')).toBe(true);
        expect(poolGauges(metrics).map((sample) => [sample.name, sample.value])).toEqual([
          ['inspilot_sd_queue_depth', NaN],
          ['inspilot_sd_jobs_running', NaN],
        ]);
        expect(sum(metrics, 'inspilot_generations_total', { status: 'failed' })).toBeGreaterThanOrEqual(1);
        // A job's event stream, kept in Redis, cannot be read either: a 503 naming it, at once.
        const events = await fetch(`${b.url}/jobs/6746e0c2a1b2c3d4e5f60718/events`, { headers: { Accept: 'text/event-stream' } });
        expect({ status: events.status, body: await events.json() }).toEqual({
          status: 503,
          body: { success: false, data: null, code: 3, message: expect.stringMatching(/events of job 6746e0c2a1b2c3d4e5f60718 .*Redis/) },
        });
      } finally {
        await redis.start();
      }
      expect(await eventually(async () => (await generate(a, '再次恢复', 1)).body.success, 20, 250)).toBe(true);
      for (const sd of sims.sds) expect(sd.stats().maxConcurrent).toBe(1);
    });
  });
});
