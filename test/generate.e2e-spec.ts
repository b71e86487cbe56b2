/**
 * POST /generate over HTTP for the paint app's four types, with the front end's exact bodies
 * (docs/front-end-contract.md), against the GPT and Stable Diffusion simulators and the real database.
 * Concurrency is checked on the order the simulators recorded, never on durations.
 */
import request from 'supertest';
import { PNG } from 'pngjs';
import { createTestApp, TestApp } from './support/test-app';
import { eventsOf, onlyEventOf, type SimEvent, sketchDataUrl, startSims, type Sims } from './support/simulators';

const TASK = '设计一款运动辅助产品';
const ITEM_KEYS = ['combinations', 'image', 'text', 'type'];

interface Item {
  type: string;
  text: string | null;
  image: string | null;
  combinations: Item[] | null;
}

interface Creative {
  type: number;
  displayType: string;
  items: Item[];
}

/** A generated image: bare base64 (no data: prefix) of a PNG of the default size. */
function expectImage(image: string | null): void {
  expect(typeof image).toBe('string');
  expect(image).not.toMatch(/^data:/);
  expect(image).toMatch(/^[A-Za-z0-9+/]+=*$/);
  const png = PNG.sync.read(Buffer.from(image!, 'base64'));
  expect({ width: png.width, height: png.height }).toEqual({ width: 1024, height: 576 });
}

function expectTextItem(item: Item, type: string): void {
  expect(Object.keys(item).sort()).toEqual(ITEM_KEYS);
  expect(item).toMatchObject({ type, image: null, combinations: null });
  expect(typeof item.text).toBe('string');
  expect(item.text!.trim()).not.toBe('');
  expect(item.text).not.toMatch(/[#＃\n]/);
}

function expectImageItem(item: Item, type: string): void {
  expect(Object.keys(item).sort()).toEqual(ITEM_KEYS);
  expect(item).toMatchObject({ type, text: null, combinations: null });
  expectImage(item.image);
}

function expectType0Creative(creative: Creative): void {
  expect(Object.keys(creative).sort()).toEqual(['displayType', 'items', 'type']);
  expect(creative).toMatchObject({ type: 0, displayType: 'sequence' });
  expect(creative.items.map((item) => item.type)).toEqual(['abstractImage', 'abstractText']);
  expectImageItem(creative.items[0], 'abstractImage');
  expectTextItem(creative.items[1], 'abstractText');
}

/** `a` finished only after `b` had started: the two calls overlapped (as far as `a` goes). */
function startedBeforeEnd(a: SimEvent, b: SimEvent): boolean {
  return a.startSeq < b.endSeq!;
}

describe('POST /generate (e2e, simulators)', () => {
  let sims: Sims;
  let testApp: TestApp;
  let server: ReturnType<TestApp['app']['getHttpServer']>;

  const generate = (type: number, prompts: Record<string, unknown>, appid = 0) =>
    request(server).post('/generate').send({ appid, type, prompts });

  beforeAll(async () => {
    sims = await startSims({ sdCount: 3, gpt: { latencyMs: 50 }, sd: { latencyMs: 30 } });
    testApp = await createTestApp(sims.env);
    server = testApp.app.getHttpServer();
  });

  afterAll(async () => {
    await testApp?.close();
    await sims?.closeAll();
  });

  beforeEach(async () => {
    await sims.resetAll();
  });

  describe('type 0, rapid divergence', () => {
    it('answers { count: 6, result } of six creatives with a scene image and an abstract hint each', async () => {
      const response = await generate(0, { task: TASK, num: 6 });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ success: true, code: 0, message: '' });
      const data = response.body.data as { count: number; result: Creative[] };
      expect(Object.keys(data).sort()).toEqual(['count', 'result']);
      expect(data.count).toBe(6);
      expect(data.result).toHaveLength(6);
      data.result.forEach(expectType0Creative);
      // Six different hints and six different pictures.
      expect(new Set(data.result.map((c) => c.items[1].text)).size).toBe(6);
      expect(new Set(data.result.map((c) => c.items[0].image)).size).toBe(6);
      expect(sims.sdEvents().filter((event) => event.kind === 'txt2img')).toHaveLength(6);
    });

    it('still counts right when the model answers with newlines, spaced separators and a trailing " ."', async () => {
      await sims.gpt.configure({ messy: true });
      const response = await generate(0, { task: TASK, num: 5 });
      expect(response.body).toMatchObject({ success: true, code: 0 });
      expect(response.body.data.count).toBe(5);
      expect(response.body.data.result).toHaveLength(5);
      (response.body.data.result as Creative[]).forEach((creative) => {
        expectType0Creative(creative);
        expect(creative.items[1].text).not.toMatch(/^\s|\s$| \.$/);
      });
      // The list steps were answered once each: normalisation, not retries, fixed the answers.
      expect(sims.gpt.events().every((event) => event.meta.requested === event.meta.answered)).toBe(true);
      expect(sims.gpt.events()).toHaveLength(4);
    });
  });

  describe('type 1, deep divergence', () => {
    it('echoes schemeId and answers three deep creatives, showing the sketch to the vision model', async () => {
      const response = await generate(1, {
        designTask: TASK,
        designTexts: ['可折叠', '夜跑照明'],
        designImage: sketchDataUrl(),
        schemeId: 7,
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ success: true, code: 0 });
      const data = response.body.data as { schemeId: number; count: number; result: Creative[] };
      expect(Object.keys(data).sort()).toEqual(['count', 'result', 'schemeId']);
      expect(data.schemeId).toBe(7);
      expect(data.count).toBe(3);
      expect(data.result).toHaveLength(3);
      for (const creative of data.result) {
        expect(creative).toMatchObject({ type: 2, displayType: 'sequence' });
        expect(creative.items.map((item) => item.type)).toEqual(['abstractImage', 'abstractText', 'concreteText']);
        expectImageItem(creative.items[0], 'abstractImage');
        expectTextItem(creative.items[1], 'abstractText');
        expectTextItem(creative.items[2], 'concreteText');
      }

      const events = sims.gpt.events();
      const name = onlyEventOf(events, 'paint/scheme-name');
      expect(name.meta.images).toBe(1);
      expect(name.prompt).toContain('可折叠，夜跑照明');
      // Every other step is plain text.
      expect(events.filter((event) => event !== name).every((event) => event.meta.images === 0)).toBe(true);
      // products asks about the guessed name with the scheme's texts.
      expect(onlyEventOf(events, 'paint/products').prompt).toMatch(/主题：.+:可折叠，夜跑照明/);
    });

    it('works without a sketch (a scheme never saved), sending no image', async () => {
      const response = await generate(1, { designTask: TASK, designTexts: ['带扶手'], schemeId: 2 });
      expect(response.body).toMatchObject({ success: true, code: 0, data: { schemeId: 2, count: 3 } });
      expect(response.body.data.result).toHaveLength(3);
      expect(onlyEventOf(sims.gpt.events(), 'paint/scheme-name').meta.images).toBe(0);
    });
  });

  describe('type 2, convergence naming', () => {
    it('names every scheme from all its sketches and picks selectNum of them', async () => {
      const response = await generate(2, {
        designTask: TASK,
        selectNum: 3,
        schemes: [
          { designTexts: ['可折叠', '夜跑照明'], designImage: sketchDataUrl(30) },
          { designTexts: ['心率提醒'] },
          { designTexts: ['防滑', '单手操作'], designImage: sketchDataUrl(90) },
        ],
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ success: true, code: 0 });
      const data = response.body.data as { names: string[]; selected: string[] };
      expect(Object.keys(data).sort()).toEqual(['names', 'selected']);
      expect(data.names).toHaveLength(3);
      expect(data.selected).toHaveLength(3);
      for (const text of [...data.names, ...data.selected]) {
        expect(typeof text).toBe('string');
        expect(text.trim()).not.toBe('');
      }
      // The selection is asked among the names the first step gave.
      for (const name of data.selected) expect(data.names).toContain(name);
      const names = onlyEventOf(sims.gpt.events(), 'paint/scheme-names');
      expect(names.meta.images).toBe(2);
      expect(onlyEventOf(sims.gpt.events(), 'paint/select').meta.images).toBe(0);
    });

    it('selects no more names than there are schemes', async () => {
      const response = await generate(2, {
        designTask: TASK,
        selectNum: 5,
        schemes: [
          { designTexts: ['可折叠'], designImage: sketchDataUrl(30) },
          { designTexts: ['心率提醒'], designImage: sketchDataUrl(60) },
        ],
      });
      expect(response.body).toMatchObject({ success: true, code: 0 });
      expect(response.body.data.names).toHaveLength(2);
      expect(response.body.data.selected).toHaveLength(2);
    });
  });

  describe('type 3, convergence combination', () => {
    it('answers S × num direct creatives of a scene image, a product image and a function statement', async () => {
      const response = await generate(3, {
        selectedSchemes: [{ designTexts: ['可折叠', '夜跑照明'] }, { designTexts: ['心率提醒'] }],
        num: 2,
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ success: true, code: 0 });
      const data = response.body.data as { result: Creative[] };
      expect(data.result).toHaveLength(4);
      for (const creative of data.result) {
        expect(creative).toMatchObject({ type: 4, displayType: 'direct' });
        expect(creative.items).toHaveLength(1);
        const [group] = creative.items;
        expect(Object.keys(group).sort()).toEqual(ITEM_KEYS);
        expect(group).toMatchObject({ type: 'groupTypeTwo', text: null, image: null });
        expect(group.combinations!.map((item) => item.type)).toEqual(['abstractImage', 'concreteImage', 'concreteText']);
        expectImageItem(group.combinations![0], 'abstractImage');
        expectImageItem(group.combinations![1], 'concreteImage');
        expectTextItem(group.combinations![2], 'concreteText');
      }
      expect(sims.sdEvents()).toHaveLength(8);

      // The scheme texts reach the model as clean text, not as a list literal.
      for (const template of ['paint/convergence-scenes', 'paint/convergence-concretes']) {
        const prompt = onlyEventOf(sims.gpt.events(), template).prompt;
        expect(prompt).toContain('可折叠，夜跑照明');
        expect(prompt).toContain('心率提醒');
        expect(prompt).not.toMatch(/[[\]"']/);
      }
    });
  });

  describe('Azure OpenAI', () => {
    it('answers type 0 through the deployment path of an Azure-configured app', async () => {
      await sims.gpt.configure({ requireKey: 'azure-test-key' });
      const azureApp = await createTestApp({
        ...sims.env,
        OPENAI_API_KEY: '',
        AZURE_OPENAI_ENDPOINT: sims.gpt.url,
        AZURE_OPENAI_API_KEY: 'azure-test-key',
        AZURE_OPENAI_DEPLOYMENT: 'inspilot-gpt4o',
        OPENAI_API_VERSION: '2024-10-21',
      });
      try {
        const response = await request(azureApp.app.getHttpServer())
          .post('/generate')
          .send({ appid: 0, type: 0, prompts: { task: TASK, num: 6 } });
        expect(response.body).toMatchObject({ success: true, code: 0, data: { count: 6 } });
        const events = sims.gpt.events();
        expect(events).toHaveLength(4);
        for (const event of events) {
          expect(event.status).toBe(200);
          expect(event.meta).toMatchObject({ deployment: 'inspilot-gpt4o', apiVersion: '2024-10-21' });
        }
      } finally {
        await azureApp.close();
      }
    });
  });

  describe('validation', () => {
    it('refuses num 0 naming prompts.num', async () => {
      const response = await generate(0, { task: TASK, num: 0 });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ success: false, data: null, code: 1 });
      expect(response.body.message).toContain('prompts.num');
      expect(sims.gpt.events()).toHaveLength(0);
    });

    it('refuses a missing task naming prompts.task', async () => {
      const response = await generate(0, { num: 6 });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ success: false, data: null, code: 1 });
      expect(response.body.message).toContain('prompts.task');
      expect(sims.gpt.events()).toHaveLength(0);
    });

    it('refuses an unknown type listing the known ones', async () => {
      const response = await generate(9, { task: TASK, num: 6 });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ success: false, data: null, code: 1 });
      expect(response.body.message).toMatch(/type 9/);
      expect(response.body.message).toMatch(/known types:/);
      for (const type of [0, 1, 2, 3]) expect(response.body.message).toMatch(new RegExp(`\\b${type} \\(`));
    });
  });

  describe('concurrency (recorded order, not time)', () => {
    it('type 0: abstracts runs beside the scenes chain, and images start once their prompts are known', async () => {
      const response = await generate(0, { task: TASK, num: 6 });
      expect(response.body).toMatchObject({ success: true, data: { count: 6 } });
      const events = sims.gpt.events();
      const products = onlyEventOf(events, 'paint/products');
      const scenes = onlyEventOf(events, 'paint/scenes');
      const sdPrompts = onlyEventOf(events, 'paint/scene-sd-prompts');
      const abstracts = onlyEventOf(events, 'paint/abstracts');

      // Dependencies: each step after the one it reads.
      expect(products.endSeq!).toBeLessThan(scenes.startSeq);
      expect(products.endSeq!).toBeLessThan(abstracts.startSeq);
      expect(scenes.endSeq!).toBeLessThan(sdPrompts.startSeq);
      // Independence: abstracts started before scenes was answered, and scenes before abstracts was.
      expect(startedBeforeEnd(abstracts, scenes)).toBe(true);
      expect(startedBeforeEnd(scenes, abstracts)).toBe(true);

      // The SD simulators keep their own counters, so images are ordered against the GPT
      // calls by the one process clock they share: every image after its prompts came back.
      const images = sims.sdEvents();
      expect(images).toHaveLength(6);
      for (const image of images) expect(image.start).toBeGreaterThanOrEqual(sdPrompts.end!);
      // The images ran on the instances side by side: each instance got work.
      expect(sims.sds.every((sd) => sd.stats().requests > 0)).toBe(true);
    });

    it('type 3: the scenes chain and the concretes chain overlap', async () => {
      const response = await generate(3, {
        selectedSchemes: [{ designTexts: ['可折叠'] }, { designTexts: ['心率提醒'] }],
        num: 2,
      });
      expect(response.body).toMatchObject({ success: true });
      const events = sims.gpt.events();
      const scenes = onlyEventOf(events, 'paint/convergence-scenes');
      const concretes = onlyEventOf(events, 'paint/convergence-concretes');
      const scenePrompts = onlyEventOf(events, 'paint/scene-sd-prompts');
      const productPrompts = onlyEventOf(events, 'paint/product-sd-prompts');

      expect(scenes.endSeq!).toBeLessThan(scenePrompts.startSeq);
      expect(concretes.endSeq!).toBeLessThan(productPrompts.startSeq);
      // Both chains' first steps ran at once, and so did their second steps.
      expect(startedBeforeEnd(scenes, concretes) && startedBeforeEnd(concretes, scenes)).toBe(true);
      expect(startedBeforeEnd(scenePrompts, productPrompts) && startedBeforeEnd(productPrompts, scenePrompts)).toBe(true);

      // Images of each chain start only after that chain's prompts came back (shared process clock).
      const images = sims.sdEvents();
      expect(images).toHaveLength(8);
      const productImages = images.filter((image) => image.prompt.includes('white background'));
      const sceneImages = images.filter((image) => !image.prompt.includes('white background'));
      expect(productImages).toHaveLength(4);
      expect(sceneImages).toHaveLength(4);
      for (const image of sceneImages) expect(image.start).toBeGreaterThanOrEqual(scenePrompts.end!);
      for (const image of productImages) expect(image.start).toBeGreaterThanOrEqual(productPrompts.end!);
      expect(eventsOf(events, 'paint/product-sd-prompts')).toHaveLength(1);
    });
  });
});
