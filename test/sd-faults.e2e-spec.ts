/**
 * The Stable Diffusion pool under the faults a study meets, through the real app and three SD
 * simulators over HTTP: a hung instance is noticed and hedged around, blips are retried, a
 * pool with no healthy instance waits a bounded time for one, cancelled jobs stop the GPU, no
 * instance ever runs two jobs, and /sd/status shows addresses and errors only to researchers.
 */
import request from 'supertest';
import { CancelledError } from '../src/common/errors';
import type { SdInstanceDetailsDto, SdPoolStatusDto } from '../src/providers/sd/sd-status.dto';
import { SdPoolService } from '../src/providers/sd/sd-pool.service';
import { stallThresholdMs } from '../src/providers/sd/sd-stall.policy';
import { scrape, sum } from './support/prometheus';
import { createTestApp, TestApp } from './support/test-app';
import { eventually, startSims, type SimEvent, type Sims } from './support/simulators';

const KEY = 'research-key-for-the-sd-fault-tests';
const FLOOR_MS = 1000;
const CEILING_MS = 2000;
const RECOVERY_WAIT_MS = 3000;
const TIMEOUT_MS = 20000;
const TYPE0 = { appid: 0, type: 0, prompts: { task: '设计一款运动辅助产品', num: 3 } };

const isProbe = (event: SimEvent) => event.meta.width === 64 && event.meta.height === 64 && event.meta.steps === 1;
const isImage = (event: SimEvent) => !isProbe(event);

describe('Stable Diffusion pool under faults (e2e, 3 SD simulators)', () => {
  let sims: Sims;
  let testApp: TestApp;
  let server: ReturnType<TestApp['app']['getHttpServer']>;
  let pool: SdPoolService;

  const generate = () => request(server).post('/generate').send(TYPE0);

  async function status(key?: string): Promise<SdPoolStatusDto> {
    const call = request(server).get('/sd/status');
    const response = await (key ? call.set('X-API-Key', key) : call);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ success: true, code: 0 });
    return response.body.data;
  }

  const instance = async (name: string) => (await status(KEY)).instances.find((each) => each.name === name) as SdInstanceDetailsDto;

  function expectAllImages(response: request.Response): void {
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ success: true, data: { count: 3 } });
    for (const creative of response.body.data.result) expect(creative.items[0].image).toMatch(/^[A-Za-z0-9+/]{100,}=*$/);
  }

  beforeAll(async () => {
    sims = await startSims({ sdCount: 3, gpt: { latencyMs: 20 }, sd: { latencyMs: 100 } });
    testApp = await createTestApp({
      ...sims.env,
      RESEARCH_API_KEY: KEY,
      SD_TIMEOUT_MS: String(TIMEOUT_MS),
      SD_MAX_ATTEMPTS: '3',
      SD_RETRY_BACKOFF_MS: '100',
      SD_PROBE_INTERVAL_MS: '100',
      SD_RECOVERY_WAIT_MS: String(RECOVERY_WAIT_MS),
      SD_STALL_FACTOR: '3',
      SD_STALL_FLOOR_MS: String(FLOOR_MS),
      SD_STALL_CEILING_MS: String(CEILING_MS),
    });
    server = testApp.app.getHttpServer();
    pool = testApp.app.get(SdPoolService);
  });

  afterAll(async () => {
    await testApp?.close();
    await sims?.closeAll();
  });

  beforeEach(() => sims.clearEvents());

  afterEach(async () => {
    // Hedges and probes included, no instance ever ran two jobs at once.
    for (const sd of sims.sds) expect(sd.stats().maxConcurrent).toBeLessThanOrEqual(1);
    await sims.resetAll();
    expect(await eventually(async () => (await status()).instances.every((each) => each.healthy), 100)).toBe(true);
  });

  it('hedges around a hung instance in seconds, interrupts it, and takes it back only after a probe image', async () => {
    const hung = sims.sds[1];
    await hung.configure({ hang: true });
    const tries = (outcome: string) => scrape(server).then((metrics) => sum(metrics, 'inspilot_sd_image_duration_seconds_count', { sd_instance: 'sd-2', outcome }));
    const stalledBefore = await tries('stalled');
    const started = Date.now();
    const response = await generate();
    const elapsed = Date.now() - started;
    expectAllImages(response);
    // Far sooner than the request timeout the hung instance would otherwise have been waited for.
    expect(elapsed).toBeLessThan(TIMEOUT_MS / 2);
    expect(hung.events().filter(isImage)).toHaveLength(1);

    // The hung request was aborted and the instance interrupted, before any probe image was sent to it.
    expect(await eventually(() => hung.events()[0].outcome === 'aborted')).toBe(true);
    expect(await eventually(() => hung.events().some(isProbe), 100)).toBe(true);
    const firstProbe = hung.events().find(isProbe)!;
    expect(hung.interrupts().length).toBeGreaterThanOrEqual(1);
    expect(hung.interrupts()[0].seq).toBeLessThan(firstProbe.startSeq);
    // The metrics count the hung try as stalled on its instance.
    expect(await eventually(async () => (await tries('stalled')) === stalledBefore + 1)).toBe(true);

    // Shown not healthy to anyone while it hangs, probe after probe.
    const open = (await status()).instances.find((each) => each.name === 'sd-2')!;
    expect(open.healthy).toBe(false);
    expect(['stalled', 'probing']).toContain(open.state);
    expect(open.failed).toBeGreaterThanOrEqual(1);
    expect(await eventually(() => hung.events().filter((event) => isProbe(event) && event.outcome === 'aborted').length >= 1, 100)).toBe(true);
    expect(await instance('sd-2')).toMatchObject({ healthy: false, lastError: expect.stringMatching(/stalled|probe image/) });

    await hung.configure({ hang: false });
    expect(await eventually(async () => (await instance('sd-2')).healthy, 100)).toBe(true);
    const probes = hung.events().filter(isProbe);
    expect(probes.at(-1)).toMatchObject({ outcome: 'ok', status: 200 });
    expect(probes.slice(0, -1).every((probe) => probe.outcome === 'aborted')).toBe(true);
    // Only the proof brought it back: no real image ran there in between.
    expect(hung.events().filter(isImage)).toHaveLength(1);
  });

  it('retries a blip on every instance and makes every image', async () => {
    for (const sd of sims.sds) await sd.configure({ failNext: [500] });
    const response = await generate();
    expectAllImages(response);
    for (const sd of sims.sds) {
      const events = sd.events().sort((a, b) => a.startSeq - b.startSeq);
      expect(events[0]).toMatchObject({ status: 500 });
      // Any image it made after the blip came after a probe image proved it.
      const proof = events.find((event) => isProbe(event) && event.outcome === 'ok');
      for (const later of events.slice(1).filter(isImage)) {
        expect(proof).toBeDefined();
        expect(later.startSeq).toBeGreaterThan(proof!.endSeq!);
      }
    }
    expect(sims.sdEvents().filter((event) => isImage(event) && event.status === 200)).toHaveLength(3);
  });

  it('waits for an instance to come back when none is healthy, and makes every image there', async () => {
    await Promise.all(sims.sds.map((sd) => sd.refuse()));
    const pending = generate().then((response) => response);
    expect(await eventually(async () => (await status()).queued === 3, 100)).toBe(true);
    const down = await status();
    expect(down.instances.map((each) => [each.name, each.healthy, each.state])).toEqual([
      ['sd-1', false, 'failing'],
      ['sd-2', false, 'failing'],
      ['sd-3', false, 'failing'],
    ]);

    const back = sims.sds[2];
    await back.accept();
    const response = await pending;
    expectAllImages(response);
    const events = back.events().sort((a, b) => a.startSeq - b.startSeq);
    expect(events.filter(isImage).map((event) => event.status)).toEqual([200, 200, 200]);
    expect(isProbe(events[0]) && events[0].outcome === 'ok').toBe(true);
  });

  it('fails with 503 code 2 naming the step and each instance state once the recovery wait is over', async () => {
    await Promise.all(sims.sds.map((sd) => sd.refuse()));
    const started = Date.now();
    const response = await generate();
    const elapsed = Date.now() - started;
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ success: false, data: null, code: 2 });
    expect(response.body.message).toMatch(/^No Stable Diffusion instance is healthy for step "images\[\d\]"/);
    expect(response.body.message).toContain(`after waiting ${RECOVERY_WAIT_MS} ms`);
    expect(response.body.message).toContain('sd-1 failing, sd-2 failing, sd-3 failing');
    for (const sd of sims.sds) expect(response.body.message).not.toContain(sd.url);
    expect(elapsed).toBeGreaterThanOrEqual(RECOVERY_WAIT_MS);
    expect(elapsed).toBeLessThan(RECOVERY_WAIT_MS + 2500);
  });

  it('lets a stalled image that finishes first win: the hedge is aborted, its instance interrupted and still healthy', async () => {
    // Some history, then each instance's stall limit from its recent times, as the pool computes
    // it (on a loaded machine they are longer): the slow image outlasts its own limit, so it is
    // hedged, and ends halfway through the hedge's limit, so the hedge never stalls in turn.
    await Promise.all([0, 1, 2].map((index) => pool.txt2img({ prompt: `warm-up ${index}` }, `warm-up[${index}]`)));
    sims.clearEvents();
    const stall = { factor: 3, floorMs: FLOOR_MS, ceilingMs: CEILING_MS };
    const limits = (await status()).instances.map((each) => stallThresholdMs(each.p95Ms, null, stall));
    const [slow, ...others] = sims.sds;
    await slow.configure({ latencyMs: limits[0] + Math.min(...limits.slice(1)) / 2 });
    for (const sd of others) await sd.configure({ latencyMs: 4 * CEILING_MS });
    const failedBefore = (await status()).instances.map((each) => each.failed);
    const tries = async () => (await scrape(server)).samples.filter((sample) => sample.name === 'inspilot_sd_image_duration_seconds_count');
    const triesOf = (samples: Awaited<ReturnType<typeof tries>>, sd_instance: string, outcome: string) =>
      samples.filter((sample) => sample.labels.sd_instance === sd_instance && sample.labels.outcome === outcome).reduce((total, sample) => total + sample.value, 0);
    const triesBefore = await tries();

    const image = await pool.txt2img({ prompt: 'slow but sure' }, 'slow');
    expect(image.instance).toBe(slow.url);
    const hedges = sims.sdEvents().filter((event) => event.prompt.includes('slow but sure'));
    expect(hedges).toHaveLength(2);
    const hedged = others.find((sd) => sd.events().length > 0)!;
    // The pool closes the hedge's request and interrupts its instance at once; whichever reaches the
    // simulator first ends the request there (aborted, or answered to a client already gone). That
    // the pool gave the hedge up, not that it failed, is checked in its metrics below.
    expect(await eventually(() => ['aborted', 'ok'].includes(hedged.events()[0].outcome))).toBe(true);
    expect(await eventually(() => hedged.interrupts().length === 1)).toBe(true);

    const after = await status(KEY);
    const hedgedIndex = sims.sds.indexOf(hedged);
    expect(after.instances[hedgedIndex]).toMatchObject({ name: `sd-${hedgedIndex + 1}`, healthy: true, failed: failedBefore[hedgedIndex] });
    // The slow one stalled: it made the image but must prove itself before it gets another.
    expect(after.instances[0]).toMatchObject({ name: 'sd-1', failed: failedBefore[0] + 1, done: expect.any(Number) });
    expect(after.instances[0].healthy).toBe(false);
    // In the metrics: the slow try made its image (ok), the hedge was given up by us (cancelled), not failed.
    const hedgedName = `sd-${hedgedIndex + 1}`;
    expect(await eventually(async () => triesOf(await tries(), hedgedName, 'cancelled') === triesOf(triesBefore, hedgedName, 'cancelled') + 1)).toBe(true);
    const triesAfter = await tries();
    expect(triesOf(triesAfter, 'sd-1', 'ok')).toBe(triesOf(triesBefore, 'sd-1', 'ok') + 1);
    expect(triesOf(triesAfter, hedgedName, 'failed')).toBe(triesOf(triesBefore, hedgedName, 'failed'));
  });

  it('shows health and load to anyone, and addresses and last errors only with the research key', async () => {
    await sims.sds[2].configure({ failNext: [500] });
    expectAllImages(await generate());

    for (const key of [undefined, 'not-the-research-key-at-all']) {
      const open = await status(key);
      expect(open.instances.map((each) => each.name)).toEqual(['sd-1', 'sd-2', 'sd-3']);
      for (const each of open.instances) {
        expect(Object.keys(each).sort()).toEqual(['done', 'failed', 'healthy', 'name', 'p95Ms', 'running', 'state']);
        expect(each.p95Ms).toEqual(expect.any(Number));
      }
      expect(open.queued).toBe(0);
      const text = JSON.stringify(open);
      expect(text).not.toMatch(/url|lastError|127\.0\.0\.1|injected failure/);
    }

    const detailed = (await status(KEY)).instances as SdInstanceDetailsDto[];
    expect(detailed.map((each) => each.url)).toEqual(sims.sds.map((sd) => sd.url));
    expect(detailed[2].lastError).toMatch(/^500 .*injected failure/);
    expect(detailed[2].failed).toBeGreaterThanOrEqual(1);
  });

  it('documents the key as optional and both instance shapes in the OpenAPI document', async () => {
    const doc = (await request(server).get('/docs-json')).body;
    const route = doc.paths['/sd/status'].get;
    expect(route.security).toEqual(expect.arrayContaining([{}, { 'research-key': [] }]));
    expect(route.parameters).toEqual([expect.objectContaining({ name: 'x-api-key', in: 'header', required: false })]);
    const schemas = doc.components.schemas;
    const items = schemas.SdPoolStatusDto.properties.instances.items.oneOf.map((ref: { $ref: string }) => ref.$ref);
    expect(items).toEqual(['#/components/schemas/SdInstanceStatusDto', '#/components/schemas/SdInstanceDetailsDto']);
    expect(Object.keys(schemas.SdInstanceStatusDto.properties)).not.toEqual(expect.arrayContaining(['url']));
    expect(Object.keys(schemas.SdInstanceStatusDto.properties)).not.toEqual(expect.arrayContaining(['lastError']));
    expect(Object.keys(schemas.SdInstanceDetailsDto.properties)).toEqual(expect.arrayContaining(['name', 'state', 'p95Ms', 'url', 'lastError']));
    expect(schemas.SdInstanceStatusDto.properties.state.enum).toEqual(['idle', 'busy', 'stalled', 'failing', 'probing']);
  });
});

describe('Stable Diffusion pool cancellation (e2e, 1 SD simulator, one slot)', () => {
  let sims: Sims;
  let testApp: TestApp;
  let pool: SdPoolService;

  beforeAll(async () => {
    sims = await startSims({ sdCount: 1, sd: { latencyMs: 60_000 } });
    testApp = await createTestApp({ ...sims.env, SD_STALL_FLOOR_MS: '60000', SD_STALL_CEILING_MS: '60000' });
    pool = testApp.app.get(SdPoolService);
  });

  afterAll(async () => {
    await testApp?.close();
    await sims?.closeAll();
  });

  it('takes a cancelled job out of the queue, aborts a cancelled running one and interrupts its instance', async () => {
    const [sd] = sims.sds;
    const cancel = new AbortController();
    const running = pool.txt2img({ prompt: 'cancel the running one' }, 'cancel[0]', cancel.signal);
    const kept = pool.txt2img({ prompt: 'keep this one' }, 'keep');
    const queued = pool.txt2img({ prompt: 'cancel the queued one' }, 'cancel[1]', cancel.signal);
    expect((await pool.status()).queued).toBe(2);
    expect(await eventually(() => sd.stats().inFlight === 1)).toBe(true);

    await sd.configure({ latencyMs: 100 });
    cancel.abort();
    expect((await pool.status()).queued).toBe(1);
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    await expect(queued).rejects.toBeInstanceOf(CancelledError);
    const image = await kept;
    expect(image.instance).toBe(sd.url);

    const [aborted, next, ...rest] = sd.events().sort((a, b) => a.startSeq - b.startSeq);
    expect(rest).toEqual([]);
    expect(aborted).toMatchObject({ prompt: expect.stringContaining('cancel the running one'), outcome: 'aborted' });
    expect(next).toMatchObject({ prompt: expect.stringContaining('keep this one'), outcome: 'ok' });
    // The slot stayed taken until the instance was told to stop: the next job started after both.
    const [interrupt] = sd.interrupts();
    expect(sd.interrupts()).toHaveLength(1);
    expect(interrupt.seq).toBeLessThan(next.startSeq);
    expect(aborted.endSeq!).toBeLessThan(next.startSeq);
    expect(sd.stats().maxConcurrent).toBe(1);
    expect((await pool.status()).instances[0]).toMatchObject({ healthy: true, failed: 0, done: 1, state: 'idle' });
  });
});
