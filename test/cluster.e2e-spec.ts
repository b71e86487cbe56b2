/**
 * Several API processes sharing one Stable Diffusion pool through Redis: two real servers
 * (src/main.ts) on one database and one redis-server, three SD simulators. No instance ever runs
 * two images at once, images start first in first out across nodes, every node shows the same
 * pool, an instance set aside by one node is set aside for all; a node killed mid-run costs the
 * other nothing, its queued images are never made and the slots it held stay taken until their
 * leases run out; a Redis restart costs no request more than REDIS_TIMEOUT_MS.
 */
import mongoose from 'mongoose';
import { performance } from 'node:perf_hooks';
import { baseEnv, startApiProcess, stopApiProcess, type ApiProcess } from './support/api-process';
import { startRedis, type TestRedis } from './support/redis';
import { eventually, startSims, type Sims, type SimEvent } from './support/simulators';
import { isolatedDatabaseUri } from './support/test-app';

const KEY = 'research-key-for-the-cluster-test';
const LEASE_TTL_MS = 3000;
const HEARTBEAT_TTL_MS = 1000;
const REDIS_TIMEOUT_MS = 4000;

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

/** The real images asked of the simulators (probe images are 64×64). */
const imagesOf = (events: SimEvent[]) => events.filter((event) => event.kind === 'txt2img' && event.meta.width !== 64);

describe('several API processes share one Stable Diffusion pool (e2e: 2 × src/main.ts, redis-server, 3 SD simulators)', () => {
  let redis: TestRedis;
  let sims: Sims;
  let databaseUri: string;
  let env: NodeJS.ProcessEnv;
  let a: ApiProcess;
  let b: ApiProcess;
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
      // No image here is slow enough to count as stalled: stalls are the fault suite's subject.
      SD_STALL_FLOOR_MS: '60000',
      SD_RETRY_BACKOFF_MS: '2000',
    };
    [a, b] = await Promise.all([startNode(), startNode()]);
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
});
