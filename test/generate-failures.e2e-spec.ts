/**
 * POST /generate when the providers misbehave, through the simulators' fault injection:
 * retried faults end in success, lasting ones in a code-2 failure that names the step, and a
 * lost image costs only its own creative.
 */
import request from 'supertest';
import type { SdInstanceDetailsDto } from '../src/providers/sd/sd-status.dto';
import { createTestApp, TestApp } from './support/test-app';
import { eventsOf, eventually, startSims, type Sims } from './support/simulators';

const TYPE0 = { appid: 0, type: 0, prompts: { task: '设计一款运动辅助产品', num: 6 } };
const GPT_MAX_ATTEMPTS = 3;
const KEY = 'research-key-for-the-failure-tests';

type InstanceStatus = SdInstanceDetailsDto;

describe('POST /generate under provider faults (e2e, simulators)', () => {
  let sims: Sims;
  let testApp: TestApp;
  let server: ReturnType<TestApp['app']['getHttpServer']>;

  const generateType0 = () => request(server).post('/generate').send(TYPE0);

  async function sdStatus(): Promise<{ instances: InstanceStatus[]; queued: number }> {
    // With the research key, to see which instance is which simulator.
    const response = await request(server).get('/sd/status').set('X-API-Key', KEY);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ success: true, code: 0 });
    return response.body.data;
  }

  const healthOf = async (url: string) => (await sdStatus()).instances.find((instance) => instance.url === url)!.healthy;

  beforeAll(async () => {
    sims = await startSims({ sdCount: 3, gpt: { latencyMs: 20 }, sd: { latencyMs: 30 } });
    testApp = await createTestApp({
      ...sims.env,
      GPT_MAX_ATTEMPTS: String(GPT_MAX_ATTEMPTS),
      GPT_TIMEOUT_MS: '600',
      SD_MAX_ATTEMPTS: '3',
      SD_TIMEOUT_MS: '5000',
      SD_RECOVERY_WAIT_MS: '300',
      RESEARCH_API_KEY: KEY,
    });
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
    // Every fault is undone and every instance is back before the next test.
    await sims.resetAll();
    const healthy = await eventually(async () => (await sdStatus()).instances.every((instance) => instance.healthy), 100);
    expect(healthy).toBe(true);
  });

  describe('GPT', () => {
    it('retries a 429 and succeeds, with one extra request', async () => {
      await sims.gpt.configure({ failNext: [429] });
      const response = await generateType0();
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ success: true, data: { count: 6 } });
      // Four steps (products, scenes, sdPrompts, abstracts) and one retry.
      const events = sims.gpt.events();
      expect(events).toHaveLength(5);
      const products = eventsOf(events, 'paint/products');
      expect(products.map((event) => event.status)).toEqual([429, 200]);
    });

    it('fails with code 2 naming the step when GPT keeps answering 500', async () => {
      await sims.gpt.configure({ errorRate: 1, errorStatus: 500 });
      const response = await generateType0();
      expect(response.status).toBe(502);
      expect(response.body).toMatchObject({ success: false, data: null, code: 2 });
      expect(response.body.message).toContain('GPT step "products"');
      expect(response.body.message).toMatch(/500/);
      expect(response.body.message).toContain(`${GPT_MAX_ATTEMPTS} tries`);
      expect(sims.gpt.events()).toHaveLength(GPT_MAX_ATTEMPTS);
      expect(sims.sdEvents()).toHaveLength(0);
    });

    it('fails with a 503-class code 2 naming the step when GPT is unreachable', async () => {
      await sims.gpt.refuse();
      const response = await generateType0();
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ success: false, data: null, code: 2 });
      expect(response.body.message).toContain('GPT step "products"');
      expect(sims.sdEvents()).toHaveLength(0);
    });

    it('asks once more when the model answers too few items, and succeeds', async () => {
      await sims.gpt.configure({ shortNext: 1 });
      const response = await generateType0();
      expect(response.body).toMatchObject({ success: true, data: { count: 6 } });
      expect(response.body.data.result).toHaveLength(6);
      const products = eventsOf(sims.gpt.events(), 'paint/products');
      expect(products.map((event) => event.meta.answered)).toEqual([5, 6]);
      expect(sims.gpt.events()).toHaveLength(5);
    });

    it('fails with code 2 naming the step when both tries answer too few items', async () => {
      await sims.gpt.configure({ shortNext: 2 });
      const response = await generateType0();
      expect(response.status).toBe(502);
      expect(response.body).toMatchObject({ success: false, data: null, code: 2 });
      expect(response.body.message).toContain('GPT step "products"');
      expect(response.body.message).toMatch(/5 of 6/);
      expect(eventsOf(sims.gpt.events(), 'paint/products')).toHaveLength(2);
      expect(sims.gpt.events()).toHaveLength(2);
    });

    it('gives up on a hung GPT after its timeout and retries, with code 2 naming the step', async () => {
      await sims.gpt.configure({ hang: true });
      const response = await generateType0();
      expect(response.body).toMatchObject({ success: false, data: null, code: 2 });
      // The provider answered too slowly rather than not at all: a gateway timeout.
      expect(response.status).toBe(504);
      expect(response.body.message).toContain('GPT step "products"');
      expect(response.body.message).toContain(`${GPT_MAX_ATTEMPTS} tries`);
      expect(response.body.message).toContain('timed out after');
      // Every try was sent and abandoned by the client (the simulator may see the last one go a moment after the answer).
      expect(sims.gpt.events()).toHaveLength(GPT_MAX_ATTEMPTS);
      expect(await eventually(() => sims.gpt.events().every((event) => event.outcome === 'aborted'))).toBe(true);
    });
  });

  describe('Stable Diffusion', () => {
    it('makes every image when one instance of three is down, shows it unhealthy, then healthy once it is back', async () => {
      const down = sims.sds[1];
      const doneBefore = (await sdStatus()).instances.reduce((sum, instance) => sum + instance.done, 0);
      await down.refuse();
      const response = await generateType0();
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ success: true, data: { count: 6 } });
      expect(response.body.data.result).toHaveLength(6);

      const status = await sdStatus();
      expect(status.instances.map((instance) => instance.url)).toEqual(sims.sds.map((sd) => sd.url));
      const byUrl = new Map(status.instances.map((instance) => [instance.url, instance]));
      expect(byUrl.get(down.url)).toMatchObject({ healthy: false, failed: expect.any(Number) });
      expect(byUrl.get(down.url)!.failed).toBeGreaterThanOrEqual(1);
      expect(byUrl.get(down.url)!.lastError).toEqual(expect.any(String));
      for (const other of [sims.sds[0], sims.sds[2]]) expect(byUrl.get(other.url)!.healthy).toBe(true);
      // All six images were made on the two live instances.
      expect(sims.sds[0].events().length + sims.sds[2].events().length).toBe(6);
      expect(status.instances.reduce((sum, instance) => sum + instance.done, 0) - doneBefore).toBe(6);

      await down.accept();
      expect(await eventually(() => healthOf(down.url), 100)).toBe(true);
    });

    it('fails with 503 code 2 saying no instance is healthy when every instance is down', async () => {
      await Promise.all(sims.sds.map((sd) => sd.refuse()));
      const response = await generateType0();
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ success: false, data: null, code: 2 });
      expect(response.body.message).toMatch(/no stable diffusion instance is healthy/i);
      // The text steps all ran; only the pictures were missing.
      expect(sims.gpt.events()).toHaveLength(4);
      expect((await sdStatus()).instances.every((instance) => !instance.healthy)).toBe(true);
    });

    it('drops only the creative whose image was refused, and keeps the instance', async () => {
      // A 400 is the instance refusing this request, not the instance failing: not retried.
      await sims.sds[0].configure({ failNext: [400] });
      const response = await generateType0();
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ success: true, code: 0, data: { count: 5 } });
      const result = response.body.data.result as Array<{ items: Array<{ text: string | null; image: string | null }> }>;
      expect(result).toHaveLength(5);
      for (const creative of result) {
        expect(creative.items[0].image).toEqual(expect.any(String));
        expect(creative.items[0].image).not.toBe('');
        expect(creative.items[1].text).toEqual(expect.any(String));
      }
      const images = sims.sdEvents();
      expect(images).toHaveLength(6);
      expect(images.filter((event) => event.status === 400)).toHaveLength(1);
      const status = await sdStatus();
      expect(status.instances.every((instance) => instance.healthy)).toBe(true);
      expect(status.instances.find((instance) => instance.url === sims.sds[0].url)!.failed).toBeGreaterThanOrEqual(1);
    });
  });
});
