/**
 * SdPoolService against two Stable Diffusion simulators: jobs queue in arrival order (a
 * generation's images together, slot by slot), an instance never runs more than its one slot,
 * and a job moved off a failed instance keeps its place ahead of later arrivals.
 */
import request from 'supertest';
import { SdPoolService } from '../src/providers/sd/sd-pool.service';
import { createTestApp, TestApp } from './support/test-app';
import { eventually, startSims, type Sims } from './support/simulators';

const JOBS = 5;
const jobPrompt = (index: number) => `pool order job ${index}`;
const jobIndex = (prompt: string) => Number(/pool order job (\d+)/.exec(prompt)?.[1] ?? NaN);

describe('SdPoolService (e2e, 2 SD simulators, one slot each)', () => {
  let sims: Sims;
  let testApp: TestApp;
  let pool: SdPoolService;

  beforeAll(async () => {
    sims = await startSims({ sdCount: 2, sd: { latencyMs: 100 } });
    testApp = await createTestApp({ ...sims.env, SD_SLOTS_PER_INSTANCE: '1' });
    pool = testApp.app.get(SdPoolService);
  });

  afterAll(async () => {
    await testApp?.close();
    await sims?.closeAll();
  });

  beforeEach(() => sims.clearEvents());

  it('starts queued jobs in arrival order and never gives an instance two at once', async () => {
    const jobs = Array.from({ length: JOBS }, (_, index) => pool.txt2img({ prompt: jobPrompt(index) }, `order[${index}]`));

    // Right after firing: two running, three waiting.
    expect((await pool.status()).queued).toBe(JOBS - 2);
    const status = await request(testApp.app.getHttpServer()).get('/sd/status');
    expect(status.body).toMatchObject({ success: true, code: 0 });
    expect(status.body.data.queued).toBe(JOBS - 2);
    expect(status.body.data.instances).toHaveLength(2);
    for (const instance of status.body.data.instances) expect(instance).toMatchObject({ healthy: true, state: 'busy', running: 1 });

    const images = await Promise.all(jobs);
    expect(images).toHaveLength(JOBS);
    for (const image of images) {
      expect(image.image).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect(sims.sds.map((sd) => sd.url)).toContain(image.instance);
      // The designers' defaults were merged in.
      expect(image.parameters).toMatchObject({ width: 1024, height: 576, cfg_scale: 5 });
    }

    // Each instance, in its own recorded order, took jobs in arrival order, one at a time.
    for (const sd of sims.sds) {
      const own = sd.events().sort((a, b) => a.startSeq - b.startSeq);
      expect(own.length).toBeGreaterThan(0);
      const indices = own.map((event) => jobIndex(event.prompt));
      expect(indices).toEqual([...indices].sort((a, b) => a - b));
      for (let i = 1; i < own.length; i++) expect(own[i - 1].endSeq!).toBeLessThan(own[i].startSeq);
      expect(sd.stats().maxConcurrent).toBe(1);
    }

    // Across the two instances (one process clock), jobs started in the order they arrived.
    const all = sims.sdEvents().sort((a, b) => a.start - b.start);
    expect(all.map((event) => jobIndex(event.prompt))).toEqual([0, 1, 2, 3, 4]);
    expect(all.every((event) => event.status === 200)).toBe(true);
    expect((await pool.status()).queued).toBe(0);
  });

  it('gives up cancelled jobs: queued ones never reach an instance, running ones leave it healthy', async () => {
    const cancel = new AbortController();
    const running = [0, 1].map((index) => pool.txt2img({ prompt: jobPrompt(index) }, `cancel[${index}]`, cancel.signal));
    const queued = pool.txt2img({ prompt: jobPrompt(2) }, 'cancel[2]', cancel.signal);
    const unrelated = pool.txt2img({ prompt: jobPrompt(3) }, 'other[3]');
    expect((await pool.status()).queued).toBe(2);

    cancel.abort();
    // The cancelled job left the queue at once; the other waits until an instance confirmed its interrupt.
    expect((await pool.status()).queued).toBe(1);
    for (const job of [...running, queued]) await expect(job).rejects.toThrow(/cancelled/);
    // The job that was not cancelled still runs, on an instance that is still healthy.
    await expect(unrelated).resolves.toMatchObject({ image: expect.any(String) });
    expect(sims.sdEvents().map((event) => jobIndex(event.prompt))).not.toContain(2);
    expect((await pool.status()).instances.every((instance) => instance.healthy && instance.failed === 0)).toBe(true);
  });

  it("queues a generation's images together, slot by slot, behind the generations that came before", async () => {
    // Both instances busy, so everything below waits in the queue.
    const blockers = [0, 1].map((index) => pool.txt2img({ prompt: jobPrompt(90 + index) }, `busy[${index}]`));
    const [a, b] = [new AbortController(), new AbortController()];
    const asked: Promise<unknown>[] = [];
    const ask = (run: AbortController, step: string, slot: number, index: number) =>
      asked.push(pool.txt2img({ prompt: jobPrompt(index) }, `${step}[${slot}]`, run.signal, { slot, moreComing: false }));
    ask(a, 'scenes', 0, 10);
    ask(a, 'scenes', 1, 11);
    ask(b, 'scenes', 0, 20);
    ask(a, 'products', 0, 12);
    ask(a, 'products', 1, 13);
    ask(b, 'scenes', 1, 21);
    await Promise.all([...blockers, ...asked]);
    const started = sims.sdEvents().sort((x, y) => x.start - y.start).map((event) => jobIndex(event.prompt));
    expect(started).toEqual([90, 91, 10, 12, 11, 13, 20, 21]);
  });

  it('waits a moment for images of the same generation that are about to come, then starts them slot by slot', async () => {
    const run = new AbortController();
    const scenes = [0, 1].map((slot) => pool.txt2img({ prompt: jobPrompt(30 + slot) }, `scenes[${slot}]`, run.signal, { slot, moreComing: true }));
    // Two instances are free, but the scenes wait for the products.
    expect((await pool.status()).queued).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sims.sdEvents()).toEqual([]);
    const products = [0, 1].map((slot) => pool.txt2img({ prompt: jobPrompt(40 + slot) }, `products[${slot}]`, run.signal, { slot, moreComing: false }));
    // The last image step came: no more waiting.
    expect((await pool.status()).queued).toBe(2);
    await Promise.all([...scenes, ...products]);
    const first = sims.sdEvents().sort((x, y) => x.start - y.start).slice(0, 2).map((event) => jobIndex(event.prompt));
    expect(first.sort()).toEqual([30, 40]);

    // Had the products never come, the scenes would have started anyway, a moment later.
    sims.clearEvents();
    const alone = await pool.txt2img({ prompt: jobPrompt(50) }, 'scenes[0]', new AbortController().signal, { slot: 0, moreComing: true });
    expect(alone.image).toEqual(expect.any(String));
  });

  it('runs a job moved off a failed instance before the jobs that arrived after it', async () => {
    const [failing, other] = sims.sds;
    await failing.configure({ failNext: [500] });
    // Job 0 goes to the first instance and fails there; 1 runs on the other; 2 and 3 wait.
    const jobs = Array.from({ length: 4 }, (_, index) => pool.txt2img({ prompt: jobPrompt(index) }, `retry[${index}]`));
    const images = await Promise.all(jobs);
    expect(images.every((image) => image.instance === other.url)).toBe(true);
    expect(failing.events().map((event) => [jobIndex(event.prompt), event.status])).toEqual([[0, 500]]);
    const order = other.events().sort((a, b) => a.startSeq - b.startSeq);
    expect(order.map((event) => jobIndex(event.prompt))).toEqual([1, 0, 2, 3]);
    expect(other.stats().maxConcurrent).toBe(1);
    // The failed instance is proved again by a probe image before the next test.
    expect(await eventually(async () => (await pool.status()).instances.every((instance) => instance.healthy), 100)).toBe(true);
    expect(failing.events().at(-1)).toMatchObject({ outcome: 'ok', meta: { width: 64, height: 64, steps: 1 } });
  });
});
