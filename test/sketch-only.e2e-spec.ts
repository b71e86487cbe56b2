/**
 * Schemes the designer only sketched (no notes) in the paint app's types 1, 2 and 3, over HTTP
 * against the GPT and Stable Diffusion simulators and the real database: the sketch reaches the
 * vision model, the recorded prompts word the scheme as only sketched, and a scheme (or, in
 * type 3, a selection) that says nothing at all is refused naming the field, storing nothing.
 */
import request from 'supertest';
import type { Response } from 'supertest';
import type { ExperimentJson } from './support/http';
import { uniqueName } from './support/builders';
import { eventsOf, onlyEventOf, sketchDataUrl, startSims, type Sims } from './support/simulators';
import { createTestApp, TestApp } from './support/test-app';

type Server = ReturnType<TestApp['app']['getHttpServer']>;

const KEY = 'research-key-for-the-sketch-only-tests';
const TASK = '设计一款运动辅助产品';
// Distinct models tell a vision call (sketches shown) from a chat call in the simulator's log.
const CHAT_MODEL = 'sim-chat';
const VISION_MODEL = 'sim-vision';
/** The templates' wording for a scheme without notes. */
const SKETCH_ONLY = '只画了草图';
/** What the prompts said before they worded it. */
const OLD_PLACEHOLDER = '（无文字）';
const NOTES_OR_SKETCH = 'give at least one note or a designImage sketch';

describe('sketch-only schemes (e2e, simulators)', () => {
  let sims: Sims;
  let testApp: TestApp;
  let server: Server;

  beforeAll(async () => {
    sims = await startSims({ sdCount: 2, gpt: { latencyMs: 0 }, sd: { latencyMs: 0 } });
    testApp = await createTestApp({ ...sims.env, RESEARCH_API_KEY: KEY, GPT_CHAT_MODEL: CHAT_MODEL, GPT_VISION_MODEL: VISION_MODEL });
    server = testApp.app.getHttpServer();
  });

  afterAll(async () => {
    await testApp?.close();
    await sims?.closeAll();
  });

  beforeEach(async () => {
    await sims.resetAll();
  });

  const generate = (type: number, prompts: Record<string, unknown>, username = uniqueName('sketch')) =>
    request(server).post('/generate').send({ appid: 0, type, prompts, username });

  /** The one record of `username`, in full. */
  async function recordOf(username: string): Promise<ExperimentJson> {
    const page = await request(server).get(`/experiments?username=${username}`).set('X-API-Key', KEY);
    expect(page.body.data.items).toHaveLength(1);
    const record = await request(server).get(`/experiments/${page.body.data.items[0]._id}`).set('X-API-Key', KEY);
    expect(record.status).toBe(200);
    return record.body.data as ExperimentJson;
  }

  function stepOf(record: ExperimentJson, name: string) {
    const step = record.steps.find((candidate) => candidate.name === name);
    expect(step).toBeDefined();
    return step!;
  }

  /** A recorded prompt that words a scheme as only sketched, never with the old placeholder. */
  function expectSketchOnlyWording(prompt: string | undefined): void {
    expect(prompt).toContain(SKETCH_ONLY);
    expect(prompt).not.toContain(OLD_PLACEHOLDER);
  }

  /** What a refused request must not leave behind, and the count /health keeps of them. */
  async function footprint() {
    const health = await request(server).get('/health');
    return {
      records: await testApp.connection.collection('experiments').countDocuments({}),
      files: await testApp.connection.collection('experiment_images.files').countDocuments({}),
      refused: health.body.data.info.generate.refused as number,
    };
  }

  /** A 400 code 1 whose message is `expected`, nothing stored, no model asked, the refusal counted. */
  async function expectRefused(send: () => Promise<Response>, expected: RegExp): Promise<void> {
    const before = await footprint();
    const response = await send();
    expect({ status: response.status, body: response.body }).toEqual({
      status: 400,
      body: { success: false, data: null, code: 1, message: expect.stringMatching(expected) },
    });
    expect(await footprint()).toEqual({ ...before, refused: before.refused + 1 });
    expect(sims.gpt.events()).toHaveLength(0);
    expect(sims.sdEvents()).toHaveLength(0);
  }

  describe('type 1, deep divergence', () => {
    it('a sketch without notes: three creatives, the sketch shown to the vision model, and the prompts word it', async () => {
      const username = uniqueName('deep');
      const response = await generate(1, { designTask: TASK, designTexts: [], designImage: sketchDataUrl(40), schemeId: 5 }, username);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ success: true, code: 0, data: { schemeId: 5, count: 3 } });
      expect(response.body.data.result).toHaveLength(3);
      for (const creative of response.body.data.result) {
        expect(creative.items.map((item: { type: string }) => item.type)).toEqual(['abstractImage', 'abstractText', 'concreteText']);
        expect(creative.items[0].image).toMatch(/^[A-Za-z0-9+/]+=*$/);
      }

      const name = onlyEventOf(sims.gpt.events(), 'paint/scheme-name');
      expect(name.meta).toMatchObject({ images: 1, model: VISION_MODEL });

      const record = await recordOf(username);
      expect(record.status).toBe('succeeded');
      const nameStep = stepOf(record, 'name');
      expect(nameStep.kind).toBe('vision');
      expectSketchOnlyWording(nameStep.prompt);
      expect(nameStep.prompt).toContain('图片是设计师为下面的设计任务画的一张产品草图');
      // The guessed name stands alone as the subject: no dangling separator, no placeholder.
      const guessed = nameStep.items?.[0];
      expect(guessed).toBeTruthy();
      expect(stepOf(record, 'products').prompt).toContain(`主题：${guessed}\n`);
      expect(JSON.stringify(record.steps)).not.toContain(OLD_PLACEHOLDER);
    });

    it('blank notes beside a sketch are taken as no notes', async () => {
      const username = uniqueName('blank');
      const response = await generate(1, { designTask: TASK, designTexts: ['  ', ''], designImage: sketchDataUrl(60), schemeId: 6 }, username);
      expect(response.body).toMatchObject({ success: true, code: 0, data: { schemeId: 6, count: 3 } });
      expectSketchOnlyWording(stepOf(await recordOf(username), 'name').prompt);
    });

    it('notes without a sketch still work, asked as text and worded with the notes', async () => {
      const username = uniqueName('notes');
      const response = await generate(1, { designTask: TASK, designTexts: ['带扶手'], schemeId: 2 }, username);
      expect(response.body).toMatchObject({ success: true, code: 0, data: { schemeId: 2, count: 3 } });
      expect(onlyEventOf(sims.gpt.events(), 'paint/scheme-name').meta).toMatchObject({ images: 0, model: CHAT_MODEL });
      const record = await recordOf(username);
      const prompt = stepOf(record, 'name').prompt;
      expect(prompt).toContain('写下的文字：带扶手');
      expect(prompt).not.toContain(SKETCH_ONLY);
      expect(stepOf(record, 'products').prompt).toContain(`主题：${stepOf(record, 'name').items![0]}:带扶手\n`);
    });

    it.each([
      ['neither notes nor a sketch', { designTexts: [] }],
      ['blank notes only', { designTexts: ['  ', '\n'] }],
      ['blank notes and a null sketch', { designTexts: [' '], designImage: null }],
    ])('%s: 400 naming prompts.designTexts, nothing stored', async (_label, scheme) => {
      await expectRefused(
        () => generate(1, { designTask: TASK, schemeId: 1, ...scheme }),
        new RegExp(`^Invalid request: prompts\\.designTexts: ${NOTES_OR_SKETCH}$`),
      );
    });
  });

  describe('type 2, convergence naming', () => {
    it('names sketch-only schemes from their sketches, and both prompts word them', async () => {
      const username = uniqueName('naming');
      const response = await generate(
        2,
        {
          designTask: TASK,
          selectNum: 3,
          schemes: [
            { designTexts: [], designImage: sketchDataUrl(30) },
            { designTexts: ['心率提醒'] },
            { designTexts: ['  '], designImage: sketchDataUrl(90) },
          ],
        },
        username,
      );
      expect(response.body).toMatchObject({ success: true, code: 0 });
      const { names, selected } = response.body.data as { names: string[]; selected: string[] };
      expect(names).toHaveLength(3);
      expect(selected.length).toBeGreaterThan(0);
      for (const choice of selected) expect(names).toContain(choice);
      expect(onlyEventOf(sims.gpt.events(), 'paint/scheme-names').meta).toMatchObject({ images: 2, model: VISION_MODEL });

      const record = await recordOf(username);
      const namesPrompt = stepOf(record, 'names').prompt!;
      expect(namesPrompt).toMatch(new RegExp(`方案 1（图 1）：[^\\n]*${SKETCH_ONLY}`));
      expect(namesPrompt).toContain('方案 2：心率提醒\n');
      expect(namesPrompt).toMatch(new RegExp(`方案 3（图 2）：[^\\n]*${SKETCH_ONLY}`));
      expectSketchOnlyWording(stepOf(record, 'selected').prompt);
      expect(stepOf(record, 'selected').prompt).toMatch(new RegExp(`${names[0]}：[^\\n]*${SKETCH_ONLY}`));
      expect(JSON.stringify(record.steps)).not.toContain(OLD_PLACEHOLDER);
    });

    it('a scheme with neither notes nor a sketch: 400 naming that scheme, nothing stored', async () => {
      await expectRefused(
        () =>
          generate(2, {
            designTask: TASK,
            selectNum: 1,
            schemes: [{ designTexts: ['可折叠'] }, { designTexts: [], designImage: sketchDataUrl(30) }, { designTexts: [' '] }],
          }),
        new RegExp(`^Invalid request: prompts\\.schemes\\.2\\.designTexts: ${NOTES_OR_SKETCH}$`),
      );
    });
  });

  describe('type 3, convergence combination', () => {
    it('a sketch-only selection: the scenes and concretes steps are shown the sketch, and word the scheme', async () => {
      const username = uniqueName('combination');
      const sketch = sketchDataUrl(50);
      const response = await generate(3, { selectedSchemes: [{ designTexts: [], designImage: sketch }], num: 2 }, username);
      expect(response.body).toMatchObject({ success: true, code: 0 });
      const result = response.body.data.result as { type: number; items: { type: string; combinations: { type: string }[] }[] }[];
      expect(result).toHaveLength(2);
      for (const creative of result) {
        expect(creative.type).toBe(4);
        expect(creative.items[0].combinations.map((item) => item.type)).toEqual(['abstractImage', 'concreteImage', 'concreteText']);
      }

      const events = sims.gpt.events();
      for (const template of ['paint/convergence-scenes', 'paint/convergence-concretes']) {
        expect(onlyEventOf(events, template).meta).toMatchObject({ images: 1, model: VISION_MODEL });
      }
      // The steps after them read text only.
      for (const template of ['paint/scene-sd-prompts', 'paint/product-sd-prompts']) {
        expect(onlyEventOf(events, template).meta).toMatchObject({ images: 0, model: CHAT_MODEL });
      }

      const record = await recordOf(username);
      for (const name of ['scenes', 'concretes']) {
        const step = stepOf(record, name);
        expect(step.kind).toBe('vision');
        expectSketchOnlyWording(step.prompt);
        expect(step.prompt).toContain('附上了草图');
        expect(step.prompt).toMatch(new RegExp(`方案 1（图 1）：[^\\n]*${SKETCH_ONLY}`));
      }
      // The sketch is kept with the record, as every input sketch is.
      const inputs = record.inputs as { selectedSchemes: { designImage: unknown }[] };
      expect(inputs.selectedSchemes[0].designImage).toEqual({ imageId: `${record._id}-input-0` });
      const stored = await request(server).get(`/experiments/${record._id}/images/${record._id}-input-0`).set('X-API-Key', KEY).buffer(true);
      expect(stored.status).toBe(200);
      expect(Buffer.from(stored.body as Buffer).equals(Buffer.from(sketch.slice(sketch.indexOf(',') + 1), 'base64'))).toBe(true);
    });

    it('sketches go to the model in scheme order, beside the notes of the schemes that have them', async () => {
      const username = uniqueName('order');
      const response = await generate(
        3,
        {
          selectedSchemes: [
            { designTexts: ['可折叠'], designImage: sketchDataUrl(20) },
            { designTexts: ['心率提醒'] },
            { designTexts: [], designImage: sketchDataUrl(80) },
          ],
          num: 1,
        },
        username,
      );
      expect(response.body).toMatchObject({ success: true, code: 0 });
      expect(response.body.data.result).toHaveLength(3);
      expect(onlyEventOf(sims.gpt.events(), 'paint/convergence-scenes').meta).toMatchObject({ images: 2, model: VISION_MODEL });
      const prompt = stepOf(await recordOf(username), 'scenes').prompt!;
      expect(prompt).toContain('方案 1（图 1）：可折叠\n');
      expect(prompt).toContain('方案 2：心率提醒\n');
      expect(prompt).toMatch(new RegExp(`方案 3（图 2）：[^\\n]*${SKETCH_ONLY}`));
    });

    it('one scheme with nothing beside one with notes: accepted, worded as empty, asked as text', async () => {
      const username = uniqueName('one-empty');
      const response = await generate(3, { selectedSchemes: [{ designTexts: [] }, { designTexts: ['心率提醒'] }], num: 1 }, username);
      expect(response.body).toMatchObject({ success: true, code: 0 });
      expect(response.body.data.result).toHaveLength(2);
      for (const template of ['paint/convergence-scenes', 'paint/convergence-concretes']) {
        expect(onlyEventOf(sims.gpt.events(), template).meta).toMatchObject({ images: 0, model: CHAT_MODEL });
      }
      const prompt = stepOf(await recordOf(username), 'scenes').prompt!;
      expect(prompt).toMatch(/方案 1：[^\n]*没有留下文字或草图/);
      expect(prompt).toContain('方案 2：心率提醒\n');
      expect(prompt).not.toContain('草图，图片');
      expect(prompt).not.toContain(OLD_PLACEHOLDER);
    });

    it('notes-only schemes still work as before, with no image sent', async () => {
      const response = await generate(3, { selectedSchemes: [{ designTexts: ['可折叠', '夜跑照明'] }], num: 1 });
      expect(response.body).toMatchObject({ success: true, code: 0 });
      expect(response.body.data.result).toHaveLength(1);
      const scenes = onlyEventOf(sims.gpt.events(), 'paint/convergence-scenes');
      expect(scenes.meta).toMatchObject({ images: 0, model: CHAT_MODEL });
      expect(scenes.prompt).toContain('方案 1：可折叠，夜跑照明\n');
      expect(scenes.prompt).not.toContain(SKETCH_ONLY);
      expect(eventsOf(sims.gpt.events(), 'paint/convergence-concretes')).toHaveLength(1);
    });

    it('no selected scheme with notes or a sketch: 400 naming prompts.selectedSchemes, nothing stored', async () => {
      await expectRefused(
        () => generate(3, { selectedSchemes: [{ designTexts: [] }, { designTexts: ['  '] }], num: 1 }),
        /^Invalid request: prompts\.selectedSchemes: no selected scheme has a note or a designImage sketch; give at least one$/,
      );
    });

    it.each([
      ['bytes that are no image', `data:image/png;base64,${Buffer.from('not a picture').toString('base64')}`, /is not a PNG, JPEG or WebP image/],
      ['an https URL', 'https://example.com/sketch.png', /must be an image data URL/],
    ])('a sketch that is %s: 400 naming prompts.selectedSchemes.0.designImage, nothing stored', async (_label, image, problem) => {
      await expectRefused(
        () => generate(3, { selectedSchemes: [{ designTexts: ['可折叠'], designImage: image }, { designTexts: ['心率提醒'] }], num: 1 }),
        new RegExp(`prompts\\.selectedSchemes\\.0\\.designImage: designImage ${problem.source}`),
      );
    });
  });
});
