/**
 * The experiment record of every generation, and the researchers' routes that read it, over
 * HTTP against the real application, the real database and the GPT / Stable Diffusion
 * simulators. Assertions are on content (what the simulators received, what was stored),
 * never on durations.
 */
import request from 'supertest';
import type { Response } from 'supertest';
import { PNG } from 'pngjs';
import { ImageRetentionService } from '../src/experiments/image-retention.service';
import { uniqueName } from './support/builders';
import { createTestApp, TestApp } from './support/test-app';
import { binary, type ExperimentJson } from './support/http';
import { eventsOf, eventually, sketchDataUrl, startSims, type Sims } from './support/simulators';

const KEY = 'research-key-for-the-e2e-tests';
const TASK = '设计一款运动辅助产品';
const TYPE1_STEPS = ['name', 'products', 'scenes', 'sdPrompts', 'images', 'abstracts', 'concretes'];

type Server = ReturnType<TestApp['app']['getHttpServer']>;

type Experiment = ExperimentJson;


const HEX16 = /^[0-9a-f]{16}$/;

/** The failure envelope with `code` and a message that matches `message`. */
function expectFailure(response: Response, status: number, code: number, message?: RegExp): void {
  expect({ status: response.status, body: response.body }).toMatchObject({
    status,
    body: { success: false, data: null, code },
  });
  expect(typeof response.body.message).toBe('string');
  if (message) expect(response.body.message).toMatch(message);
}

/** Every `{ imageId }` object anywhere in `value`. */
function imageRefs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(imageRefs);
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'imageId') return [(value as { imageId: string }).imageId];
    return Object.values(value).flatMap(imageRefs);
  }
  return [];
}

function researcher(server: Server) {
  const get = (path: string) => request(server).get(path).set('X-API-Key', KEY);
  return {
    get,
    /** The data of a successful JSON answer. */
    data: async <T>(path: string): Promise<T> => {
      const response = await get(path);
      expect({ path, status: response.status, success: response.body.success }).toEqual({ path, status: 200, success: true });
      return response.body.data as T;
    },
    bytes: (path: string) => get(path).buffer(true).parse(binary),
  };
}

describe('experiments (e2e, simulators)', () => {
  let sims: Sims;

  beforeAll(async () => {
    // One SD instance: a failure injected with failNext hits a known image.
    sims = await startSims({ sdCount: 1, gpt: { latencyMs: 0 }, sd: { latencyMs: 0 } });
  });

  afterAll(async () => {
    await sims?.closeAll();
  });

  const appEnv = (extra: Record<string, string> = {}) => ({ ...sims.env, RESEARCH_API_KEY: KEY, GPT_MAX_ATTEMPTS: '2', ...extra });

  describe('recording /generate', () => {
    let testApp: TestApp;
    let server: Server;
    let api: ReturnType<typeof researcher>;

    beforeAll(async () => {
      testApp = await createTestApp(appEnv());
      server = testApp.app.getHttpServer();
      api = researcher(server);
    });

    afterAll(async () => {
      await testApp?.close();
    });

    beforeEach(async () => {
      await sims.resetAll();
    });

    /** The one record of `username`, in full. */
    async function onlyRecordOf(username: string): Promise<Experiment> {
      const page = await api.data<{ items: Experiment[]; nextCursor: string | null }>(`/experiments?username=${encodeURIComponent(username)}`);
      expect(page.items).toHaveLength(1);
      expect(page.nextCursor).toBeNull();
      return api.data<Experiment>(`/experiments/${page.items[0]._id}`);
    }

    it('records a type-1 run: inputs with the sketch stored, every step in dependency order with its prompt, and every image', async () => {
      const username = uniqueName('deep');
      const sketch = sketchDataUrl(50);
      const prompts = { designTask: TASK, designTexts: ['可折叠', '夜跑照明'], designImage: sketch, schemeId: 4 };
      const generated = await request(server).post('/generate').set('X-InsPilot-User', username).send({ appid: 0, type: 1, prompts });
      expect(generated.status).toBe(200);
      expect(generated.body).toMatchObject({ success: true, code: 0, data: { schemeId: 4, count: 3 } });

      const record = await onlyRecordOf(username);
      expect(record).toMatchObject({
        appId: 0,
        appName: 'paint',
        type: 1,
        pipeline: 'deep-divergence',
        username,
        status: 'succeeded',
      });
      expect(record.error).toBeUndefined();
      expect(typeof record.serviceVersion).toBe('string');
      expect(record.serviceVersion).not.toBe('');
      expect(new Date(record.endedAt!).getTime()).toBeGreaterThanOrEqual(new Date(record.startedAt).getTime());
      expect(typeof record.durationMs).toBe('number');

      // Inputs as sent, the sketch replaced by a stored image that is the very PNG sent.
      expect(record.inputs).toMatchObject({ designTask: TASK, designTexts: ['可折叠', '夜跑照明'], schemeId: 4 });
      expect(record.inputs.designImage).toEqual({ imageId: `${record._id}-input-0` });
      expect(JSON.stringify(record)).not.toContain('data:image/png;base64');
      const input = await api.bytes(`/experiments/${record._id}/images/${record._id}-input-0`);
      expect(input.status).toBe(200);
      expect(input.headers['content-type']).toMatch(/^image\/png/);
      expect((input.body as Buffer).equals(Buffer.from(sketch.slice(sketch.indexOf(',') + 1), 'base64'))).toBe(true);
      expect(PNG.sync.read(input.body as Buffer)).toMatchObject({ width: 16, height: 12 });

      // All seven steps, each once, each after its dependencies.
      const names = record.steps.map((step) => step.name);
      expect([...names].sort()).toEqual([...TYPE1_STEPS].sort());
      record.steps.forEach((step, index) => {
        for (const dep of step.deps) {
          // Present, and placed before the step that needs it.
          expect({ step: step.name, dep, present: names.includes(dep), before: names.indexOf(dep) < index }).toEqual({
            step: step.name,
            dep,
            present: true,
            before: true,
          });
        }
        expect(step).toMatchObject({ status: 'succeeded', attempts: [] });
        expect(new Date(step.endedAt!).getTime()).toBeGreaterThanOrEqual(new Date(step.startedAt).getTime());
        expect(typeof step.durationMs).toBe('number');
      });
      const step = Object.fromEntries(record.steps.map((s) => [s.name, s]));
      expect(step.name.deps).toEqual([]);
      expect(step.products.deps).toEqual(['name']);
      expect(step.images.deps).toEqual(['sdPrompts']);
      expect(step.concretes.deps).toEqual(['products']);

      // Each GPT step: the prompt the simulator received, its template, hash, model, answer and tokens.
      const gptEvents = sims.gpt.events();
      const gptSteps = record.steps.filter((s) => s.kind !== 'sd');
      expect(gptSteps.map((s) => s.name).sort()).toEqual(['abstracts', 'concretes', 'name', 'products', 'scenes', 'sdPrompts']);
      expect(gptEvents).toHaveLength(gptSteps.length);
      for (const s of gptSteps) {
        expect(s.template).toMatch(/^paint\//);
        expect(s.templateHash).toMatch(HEX16);
        const sent = eventsOf(gptEvents, s.template!);
        expect({ step: s.name, requests: sent.length }).toEqual({ step: s.name, requests: 1 });
        expect(typeof s.prompt).toBe('string');
        expect(s.prompt!.length).toBeGreaterThan(0);
        expect(sent[0].prompt).toBe(s.prompt!.slice(0, 200));
        expect(typeof s.model).toBe('string');
        expect(typeof s.rawOutput).toBe('string');
        expect(s.tokens!.total).toBeGreaterThan(0);
        expect(s.tokens!.total).toBe(s.tokens!.prompt + s.tokens!.completion);
      }
      expect(step.name.kind).toBe('vision');
      expect(step.name.template).toBe('paint/scheme-name');
      expect(step.products.template).toBe('paint/products');
      // The answer items that fed the next step are in the record.
      expect(step.products.items).toHaveLength(3);
      expect(step.sdPrompts.items).toHaveLength(3);
      expect(step.images.items).toEqual(step.sdPrompts.items);
      const hashes = new Set(gptSteps.map((s) => s.templateHash));
      expect(hashes.size).toBe(gptSteps.length);

      // Three images, as SD made them, each retrievable as a 1024×576 PNG with caching headers.
      const made = record.images.filter((image) => image.step !== 'input');
      expect(made.map((image) => image.index).sort()).toEqual([0, 1, 2]);
      expect(record.images.filter((image) => image.step === 'input')).toEqual([
        expect.objectContaining({ imageId: `${record._id}-input-0`, index: 0 }),
      ]);
      const returned = (generated.body.data.result as { items: { image: string | null }[] }[]).map((c) => c.items[0].image);
      const stored: string[] = [];
      for (const image of made) {
        expect(image).toMatchObject({ imageId: `${record._id}-images-${image.index}`, step: 'images', instance: sims.sds[0].url });
        expect(typeof image.seed).toBe('number');
        expect(image.parameters).toMatchObject({ width: 1024, height: 576 });
        expect(JSON.stringify(image.parameters).length).toBeLessThan(20_000);
        expect(image.info).toEqual(expect.any(Object));
        const response = await api.bytes(`/experiments/${record._id}/images/${image.imageId}`);
        expect(response.status).toBe(200);
        expect(response.headers['content-type']).toMatch(/^image\/png/);
        expect(response.headers['cache-control']).toMatch(/max-age=\d+/);
        expect(response.headers.etag).toBeTruthy();
        expect(Number(response.headers['content-length'])).toBe((response.body as Buffer).length);
        const png = PNG.sync.read(response.body as Buffer);
        expect({ width: png.width, height: png.height }).toEqual({ width: 1024, height: 576 });
        stored.push((response.body as Buffer).toString('base64'));
      }
      // The images stored are the images the participant was shown.
      expect([...stored].sort()).toEqual([...returned].sort());

      // The recorded answer is the answer, each image replaced by the id of an image that exists.
      expect(record.output).toMatchObject({ schemeId: 4, count: 3 });
      const refs = imageRefs(record.output);
      expect(refs).toHaveLength(3);
      expect(new Set(refs)).toEqual(new Set(made.map((image) => image.imageId)));
      const texts = (record.output!.result as { items: { text: string | null }[] }[]).map((c) => c.items[1].text);
      expect(texts).toEqual((generated.body.data.result as { items: { text: string | null }[] }[]).map((c) => c.items[1].text));
    });

    it('takes the participant from the body before the header, and records nobody when neither names one', async () => {
      const fromBody = uniqueName('body');
      const fromHeader = uniqueName('header');
      const generated = await request(server)
        .post('/generate')
        .set('X-InsPilot-User', fromHeader)
        .send({ appid: 0, type: 0, username: fromBody, prompts: { task: TASK, num: 1 } });
      expect(generated.body).toMatchObject({ success: true });
      expect((await onlyRecordOf(fromBody)).username).toBe(fromBody);
      const page = await api.data<{ items: Experiment[] }>(`/experiments?username=${fromHeader}`);
      expect(page.items).toEqual([]);
    });

    it('records a failed GPT step with each attempt and its reason, and the run as failed naming the step', async () => {
      await sims.gpt.configure({ errorRate: 1 });
      const username = uniqueName('gptfail');
      const generated = await request(server)
        .post('/generate')
        .send({ appid: 0, type: 0, username, prompts: { task: TASK, num: 2 } });
      expectFailure(generated, 502, 2, /products/);

      const record = await onlyRecordOf(username);
      expect(record.status).toBe('failed');
      expect(record.error).toMatchObject({ step: 'products', provider: 'gpt', code: 2 });
      expect(record.error!.message).toMatch(/products/);
      expect(record.output).toBeUndefined();
      const products = record.steps.find((s) => s.name === 'products')!;
      expect(products).toMatchObject({ status: 'failed', template: 'paint/products' });
      expect(products.templateHash).toMatch(HEX16);
      expect(products.error).toMatch(/products/);
      // GPT_MAX_ATTEMPTS=2: two tries, two reasons, as many as the simulator answered.
      expect(products.attempts.map((a) => a.attempt)).toEqual([1, 2]);
      for (const attempt of products.attempts) {
        expect(attempt.reason).toMatch(/500/);
        expect(Number.isNaN(Date.parse(attempt.at))).toBe(false);
      }
      expect(eventsOf(sims.gpt.events(), 'paint/products')).toHaveLength(2);
      expect(sims.gpt.events().every((event) => event.status === 500)).toBe(true);
      // Nothing ran after the failed step.
      expect(record.steps.map((s) => s.name)).toEqual(['products']);
      expect(record.images).toEqual([]);
    });

    it('records a run that lost an image as partly succeeded, with the missing image and its reason', async () => {
      await sims.sds[0].configure({ failNext: [400] });
      const username = uniqueName('partly');
      const generated = await request(server)
        .post('/generate')
        .send({ appid: 0, type: 0, username, prompts: { task: TASK, num: 2 } });
      expect(generated.body).toMatchObject({ success: true, data: { count: 1 } });

      const record = await onlyRecordOf(username);
      expect(record.status).toBe('partly-succeeded');
      const images = record.steps.find((s) => s.name === 'images')!;
      expect(images.status).toBe('succeeded');
      expect(images.attempts).toHaveLength(1);
      expect(images.attempts[0].reason).toMatch(/400/);
      expect(record.images).toHaveLength(1);
      const refs = imageRefs(record.output);
      expect(refs).toEqual([record.images[0].imageId]);
      const response = await api.bytes(`/experiments/${record._id}/images/${refs[0]}`);
      expect(response.status).toBe(200);
    });

    it('refuses invalid inputs, an unknown app and an unknown type without a record, counting each on /health', async () => {
      const username = uniqueName('refused');
      const refused = async () => (await request(server).get('/health')).body.data.info.generate.refused as number;
      const before = await refused();
      const invalid = await request(server)
        .post('/generate')
        .set('X-InsPilot-User', username)
        .send({ appid: 0, type: 0, prompts: { task: TASK, num: 0 } });
      expectFailure(invalid, 400, 1, /prompts\.num/);
      expectFailure(await request(server).post('/generate').send({ appid: 7, type: 0, username, prompts: {} }), 400, 1, /Unknown appid 7/);
      expectFailure(await request(server).post('/generate').send({ appid: 0, type: 9, username, prompts: {} }), 400, 1, /Unknown type 9/);

      expect(await refused()).toBe(before + 3);
      const page = await api.data<{ items: Experiment[] }>(`/experiments?username=${username}`);
      expect(page.items).toEqual([]);
      expect(sims.gpt.events()).toEqual([]);
    });

    describe('API key', () => {
      const ROUTES = ['/experiments', '/experiments/export?format=jsonl', '/users/alice/experiments', '/experiments/0123456789abcdef01234567'];

      it.each(ROUTES)('%s answers 401 in the envelope without a key or with a wrong one', async (path) => {
        expectFailure(await request(server).get(path), 401, 1, /X-API-Key/);
        expectFailure(await request(server).get(path).set('X-API-Key', `${KEY}x`), 401, 1, /X-API-Key/);
        expectFailure(await request(server).get(path).set('X-API-Key', ''), 401, 1);
        expectFailure(await request(server).get(path).set('X-API-Key', KEY.slice(0, -1)), 401, 1);
      });

      it('lets the right key in', async () => {
        const response = await request(server).get('/experiments').set('X-API-Key', KEY);
        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({ success: true, code: 0, data: { items: expect.any(Array) } });
      });

      it('guards the images too', async () => {
        const username = uniqueName('guard');
        await request(server).post('/generate').send({ appid: 0, type: 0, username, prompts: { task: TASK, num: 1 } }).expect(200);
        const record = await onlyRecordOf(username);
        const path = `/experiments/${record._id}/images/${record.images[0].imageId}`;
        expectFailure(await request(server).get(path), 401, 1);
        expect((await api.bytes(path)).status).toBe(200);
      });

      it('leaves the paint routes and /generate open', async () => {
        const start = await request(server).post('/paint/start').send({ username: uniqueName('painter') });
        expect(start.status).toBe(200);
        expect(start.body).toMatchObject({ success: true, code: 0 });
        const generated = await request(server).post('/generate').send({ appid: 0, type: 0, prompts: { task: TASK, num: 1 } });
        expect(generated.body).toMatchObject({ success: true });
      });
    });

    it('answers 404 in the envelope for an unknown experiment or image', async () => {
      expectFailure(await api.get('/experiments/0123456789abcdef01234567'), 404, 1, /0123456789abcdef01234567/);
      expectFailure(await api.get('/experiments/not-an-id'), 404, 1);
      const username = uniqueName('missing');
      await request(server).post('/generate').send({ appid: 0, type: 0, username, prompts: { task: TASK, num: 1 } }).expect(200);
      const record = await onlyRecordOf(username);
      expectFailure(await api.get(`/experiments/${record._id}/images/${record._id}-images-5`), 404, 1);
      // An image of another experiment is not served under this one.
      expectFailure(await api.get(`/experiments/0123456789abcdef01234567/images/${record.images[0].imageId}`), 404, 1);
    });
  });

  describe('without RESEARCH_API_KEY on the server', () => {
    let testApp: TestApp;

    beforeAll(async () => {
      testApp = await createTestApp({ ...sims.env, RESEARCH_API_KEY: '' });
    });

    afterAll(async () => {
      await testApp?.close();
    });

    it.each(['/experiments', '/experiments/export?format=csv', '/users/alice/experiments', '/experiments/0123456789abcdef01234567'])(
      'refuses %s with 403 in the envelope, with or without a key',
      async (path) => {
        const server = testApp.app.getHttpServer();
        expectFailure(await request(server).get(path), 403, 1, /RESEARCH_API_KEY/);
        expectFailure(await request(server).get(path).set('X-API-Key', KEY), 403, 1, /RESEARCH_API_KEY/);
      },
    );

    it('still serves the paint routes', async () => {
      const start = await request(testApp.app.getHttpServer()).post('/paint/start').send({ username: uniqueName('open') });
      expect(start.body).toMatchObject({ success: true, code: 0 });
    });
  });

  describe('filters and pagination', () => {
    let testApp: TestApp;
    let api: ReturnType<typeof researcher>;
    const alice = uniqueName('alice');
    const bob = uniqueName('bob');
    const carol = uniqueName('carol');

    interface Made {
      id: string;
      username: string;
      type: number;
      status: string;
      batch: 1 | 2;
    }
    /** What was generated, oldest first, with the id each record turned out to have. */
    const made: Made[] = [];
    let boundary: Date;

    const valid0 = { task: TASK, num: 1 };
    const valid2 = { designTask: TASK, selectNum: 1, schemes: [{ designTexts: ['可折叠'], designImage: sketchDataUrl(70) }] };
    // Each 'failed' run is made to fail by GPT answering errors (refused inputs leave no record).
    const plan: [string, number, Record<string, unknown>, string][] = [
      [alice, 0, valid0, 'succeeded'],
      [bob, 2, valid2, 'succeeded'],
      [alice, 0, valid0, 'failed'],
      [carol, 0, valid0, 'succeeded'],
      [bob, 0, valid0, 'succeeded'],
      // batch 2
      [alice, 2, valid2, 'failed'],
      [carol, 2, valid2, 'succeeded'],
      [alice, 0, valid0, 'succeeded'],
      [bob, 0, valid0, 'failed'],
      [alice, 2, valid2, 'succeeded'],
    ];
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const ids = (rows: { _id: string }[]) => rows.map((row) => row._id);
    /** Expected ids, newest first. */
    const expected = (keep: (m: Made) => boolean) => made.filter(keep).map((m) => m.id).reverse();
    const list = async (query: string) => {
      const page = await api.data<{ items: Experiment[]; nextCursor: string | null }>(`/experiments?limit=200&${query}`);
      expect(page.nextCursor).toBeNull();
      return ids(page.items);
    };

    beforeAll(async () => {
      await sims.resetAll();
      testApp = await createTestApp(appEnv());
      const server = testApp.app.getHttpServer();
      api = researcher(server);
      // One after another, so creation order is known; a clear gap in time between the two batches.
      for (const [index, [username, type, prompts, status]] of plan.entries()) {
        if (index === 5) {
          await sleep(15);
          boundary = new Date();
          await sleep(15);
        }
        await sims.gpt.configure({ errorRate: status === 'failed' ? 1 : 0 });
        await request(server).post('/generate').send({ appid: 0, type, username, prompts });
      }
      await sims.gpt.configure({ errorRate: 0 });
      const everything = await api.data<{ items: Experiment[]; nextCursor: string | null }>('/experiments?limit=200');
      expect(everything.nextCursor).toBeNull();
      expect(everything.items).toHaveLength(plan.length);
      const oldestFirst = [...everything.items].reverse();
      oldestFirst.forEach((item, index) => {
        const [username, type, , status] = plan[index];
        expect({ index, username: item.username, type: item.type, status: item.status }).toEqual({ index, username, type, status });
        made.push({ id: item._id, username, type, status, batch: index < 5 ? 1 : 2 });
      });
    });

    afterAll(async () => {
      await testApp?.close();
    });

    it('lists everything newest first, without steps, inputs or output', async () => {
      const page = await api.data<{ items: Record<string, unknown>[]; nextCursor: string | null }>('/experiments');
      expect(ids(page.items as never)).toEqual(expected(() => true));
      for (const item of page.items) {
        expect(item).not.toHaveProperty('steps');
        expect(item).not.toHaveProperty('inputs');
        expect(item).not.toHaveProperty('output');
        expect(item).toHaveProperty('status');
        expect(item).toHaveProperty('startedAt');
      }
      const started = page.items.map((item) => Date.parse(item.startedAt as string));
      expect([...started].sort((a, b) => b - a)).toEqual(started);
    });

    it('filters by username, type, status, app and time, alone and combined', async () => {
      expect(await list(`username=${alice}`)).toEqual(expected((m) => m.username === alice));
      expect(await list(`username=${bob}`)).toEqual(expected((m) => m.username === bob));
      expect(await list('type=2')).toEqual(expected((m) => m.type === 2));
      expect(await list('type=0')).toEqual(expected((m) => m.type === 0));
      expect(await list('type=1')).toEqual([]);
      expect(await list('status=failed')).toEqual(expected((m) => m.status === 'failed'));
      expect(await list('status=succeeded')).toEqual(expected((m) => m.status === 'succeeded'));
      expect(await list('status=running')).toEqual([]);
      expect(await list('app=0')).toEqual(expected(() => true));
      expect(await list('app=1')).toEqual([]);
      expect(await list(`from=${boundary.toISOString()}`)).toEqual(expected((m) => m.batch === 2));
      expect(await list(`to=${boundary.toISOString()}`)).toEqual(expected((m) => m.batch === 1));
      expect(await list(`username=${alice}&type=0&status=succeeded`)).toEqual(
        expected((m) => m.username === alice && m.type === 0 && m.status === 'succeeded'),
      );
      expect(await list(`username=${bob}&from=${encodeURIComponent(boundary.toISOString())}`)).toEqual(
        expected((m) => m.username === bob && m.batch === 2),
      );
      expect(await list(`username=${uniqueName('nobody')}`)).toEqual([]);
      // A window with from after to is empty rather than an error.
      expect(await list(`from=${boundary.toISOString()}&to=${new Date(boundary.getTime() - 1).toISOString()}`)).toEqual([]);
    });

    it('pages of `limit` concatenate to the full list, with no duplicates and a null cursor on the last page', async () => {
      const all = expected(() => true);
      for (const limit of [1, 3, 5, 10, 11]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page: { items: Experiment[]; nextCursor: string | null } = await api.data(
            `/experiments?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
          );
          pages += 1;
          expect(page.items.length).toBeLessThanOrEqual(limit);
          expect(page.items.length).toBeGreaterThan(0);
          seen.push(...ids(page.items));
          cursor = page.nextCursor;
          expect(pages).toBeLessThanOrEqual(all.length);
        } while (cursor);
        expect({ limit, seen }).toEqual({ limit, seen: all });
        expect({ limit, pages }).toEqual({ limit, pages: Math.ceil(all.length / limit) });
      }
    });

    it('pages a filtered list the same way', async () => {
      const want = expected((m) => m.username === alice);
      const first = await api.data<{ items: Experiment[]; nextCursor: string }>(`/experiments?username=${alice}&limit=2`);
      const second = await api.data<{ items: Experiment[]; nextCursor: string }>(`/experiments?username=${alice}&limit=2&cursor=${first.nextCursor}`);
      const third = await api.data<{ items: Experiment[]; nextCursor: string | null }>(`/experiments?username=${alice}&limit=2&cursor=${second.nextCursor}`);
      expect(want).toHaveLength(5);
      expect([...ids(first.items), ...ids(second.items), ...ids(third.items)]).toEqual(want);
      expect(third.nextCursor).toBeNull();
    });

    it('/users/:username/experiments equals the username filter, other filters and paging included', async () => {
      for (const user of [alice, bob, carol]) {
        const byRoute = await api.data<{ items: Experiment[]; nextCursor: string | null }>(`/users/${user}/experiments`);
        expect(ids(byRoute.items)).toEqual(await list(`username=${user}`));
      }
      const failed = await api.data<{ items: Experiment[] }>(`/users/${alice}/experiments?status=failed`);
      expect(ids(failed.items)).toEqual(expected((m) => m.username === alice && m.status === 'failed'));
      const paged = await api.data<{ items: Experiment[]; nextCursor: string | null }>(`/users/${bob}/experiments?limit=2`);
      expect(ids(paged.items)).toEqual(expected((m) => m.username === bob).slice(0, 2));
      expect(paged.nextCursor).toBe(paged.items[1]._id);
    });

    it.each([
      ['cursor=not-a-cursor', 'cursor'],
      ['status=done', 'status'],
      ['from=yesterday', 'from'],
      ['to=2026-13-45', 'to'],
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=201', 'limit'],
      ['type=first', 'type'],
    ])('answers 400 naming the field for %s', async (query, field) => {
      // The field's name, then what it must be.
      const naming = new RegExp(`\\b${field}\\b.*\\bmust\\b`);
      expectFailure(await api.get(`/experiments?${query}`), 400, 1, naming);
      expectFailure(await api.get(`/users/${alice}/experiments?${query}`), 400, 1, naming);
    });
  });

  describe('image retention', () => {
    let testApp: TestApp;
    let api: ReturnType<typeof researcher>;

    beforeAll(async () => {
      await sims.resetAll();
      testApp = await createTestApp(appEnv({ EXPERIMENT_IMAGE_RETENTION_DAYS: '1' }));
      api = researcher(testApp.app.getHttpServer());
    });

    afterAll(async () => {
      await testApp?.close();
    });

    it('deletes the images of records older than the retention age, keeping the records and saying why an image is gone', async () => {
      const username = uniqueName('retained');
      const generated = await request(testApp.app.getHttpServer())
        .post('/generate')
        .send({ appid: 0, type: 1, username, prompts: { designTask: TASK, designTexts: ['防滑'], designImage: sketchDataUrl(20), schemeId: 1 } });
      expect(generated.body).toMatchObject({ success: true });
      const page = await api.data<{ items: Experiment[] }>(`/experiments?username=${username}`);
      const id = page.items[0]._id;
      const before = await api.data<Experiment>(`/experiments/${id}`);
      expect(before.images).toHaveLength(4);
      const retention = testApp.app.get(ImageRetentionService);

      // Not old enough yet: nothing happens.
      expect(await retention.sweep(new Date())).toBe(0);
      expect((await api.bytes(`/experiments/${id}/images/${before.images[0].imageId}`)).status).toBe(200);

      const twoDaysLater = new Date(Date.now() + 2 * 86_400_000);
      expect(await retention.sweep(twoDaysLater)).toBeGreaterThanOrEqual(1);
      const after = await api.data<Experiment>(`/experiments/${id}`);
      expect(after.images.map((image) => image.imageId).sort()).toEqual(before.images.map((image) => image.imageId).sort());
      expect(after.images.every((image) => image.removed === true)).toBe(true);
      // The record itself is kept whole.
      expect(after).toMatchObject({ status: 'succeeded', username, inputs: before.inputs, output: before.output });
      expect(after.steps.map((s) => s.name)).toEqual(before.steps.map((s) => s.name));
      for (const image of before.images) {
        expectFailure(await api.get(`/experiments/${id}/images/${image.imageId}`), 404, 1, /removed/);
      }
      const files = await testApp.connection.collection('experiment_images.files').countDocuments({ 'metadata.owner': id });
      expect(files).toBe(0);
      const chunks = await testApp.connection.collection('experiment_images.chunks').countDocuments({});
      expect(chunks).toBe(0);
      // Once swept, a record is not swept again.
      expect(await retention.sweep(twoDaysLater)).toBe(0);
    });
  });

  describe('when the record cannot be written', () => {
    let testApp: TestApp;

    beforeAll(async () => {
      await sims.resetAll();
      testApp = await createTestApp(appEnv());
    });

    afterAll(async () => {
      await testApp?.close();
    });

    it('still answers the generation, and /health counts the lost record', async () => {
      // A real refusal by the database: a unique index that every new paint record collides with.
      const experiments = testApp.connection.collection('experiments');
      await experiments.createIndex({ appName: 1 }, { unique: true, name: 'block_paint_records' });
      await experiments.insertOne({ appName: 'paint', note: 'blocks every other paint record' });

      const server = testApp.app.getHttpServer();
      const health = async () => (await request(server).get('/health')).body.data.info.recording as { errors: number; lastError: string | null };
      const errorsBefore = (await health()).errors;

      const generated = await request(server)
        .post('/generate')
        .send({ appid: 0, type: 0, username: uniqueName('lost'), prompts: { task: TASK, num: 2 } });
      expect(generated.status).toBe(200);
      expect(generated.body).toMatchObject({ success: true, data: { count: 2 } });
      expect(generated.body.data.result).toHaveLength(2);

      // The record is written beside the answer, so its loss may be counted a moment later.
      expect(await eventually(async () => (await health()).errors > errorsBefore)).toBe(true);
      const after = await health();
      expect(after.lastError).toMatch(/duplicate|E11000/i);
      // Not silent: the loss names the experiment and says retrying could not help.
      expect(after.lastError).toMatch(/experiment [0-9a-f]{24}, refused by the database for its content/);
      expect(await experiments.countDocuments({})).toBe(1);
    });
  });
});
