/**
 * What a fuzzer, a buggy front end or a hostile page sends, over HTTP against the real
 * application, database and simulators: every bad body is a 400 that says why and costs
 * nothing (no record, no stored file), and every odd but valid input is recorded exactly as sent.
 */
import request from 'supertest';
import type { Response } from 'supertest';
import { aSaveBody, uniqueName } from './support/builders';
import { sketchDataUrl, startSims, type Sims } from './support/simulators';
import { createTestApp, TestApp } from './support/test-app';

type Server = ReturnType<TestApp['app']['getHttpServer']>;

const KEY = 'research-key-for-the-bad-input-tests';
const TASK = '设计一款运动辅助产品';

function expectRefused(response: Response, status: number, message: RegExp): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status,
    body: { success: false, data: null, code: 1, message: expect.stringMatching(message) },
  });
}

/** `levels` objects inside one another around `1`, as JSON text: `{"a":{"a":…1…}}`. */
const nestedObjects = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const nestedArrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('bad input (e2e)', () => {
  let sims: Sims;
  let testApp: TestApp;
  let server: Server;

  beforeAll(async () => {
    sims = await startSims({ sdCount: 1, gpt: { latencyMs: 0 }, sd: { latencyMs: 0 } });
    testApp = await createTestApp({ ...sims.env, RESEARCH_API_KEY: KEY });
    server = testApp.app.getHttpServer();
  });

  afterAll(async () => {
    await testApp?.close();
    await sims?.closeAll();
  });

  const postJson = (path: string, text: string) => request(server).post(path).set('Content-Type', 'application/json').send(text);
  const research = (path: string) => request(server).get(path).set('X-API-Key', KEY);

  /** What a refused request must not leave behind, and the count /health keeps of them. */
  async function footprint() {
    const health = await request(server).get('/health');
    return {
      records: await testApp.connection.collection('experiments').countDocuments({}),
      files: await testApp.connection.collection('experiment_images.files').countDocuments({}),
      refused: health.body.data.info.generate.refused as number,
    };
  }

  describe('deep nesting', () => {
    it.each([
      ['POST', '/ping'],
      ['POST', '/paint/start'],
      ['POST', '/paint/save'],
      ['POST', '/generate'],
      ['GET', '/experiments'],
      ['GET', '/health'],
      ['POST', '/no-such-route'],
    ])('%s %s: 400 for 100,000 levels of objects or arrays, never a 5xx', async (method, path) => {
      for (const body of [nestedObjects(100_000), nestedArrays(200_000), `{"username":"x","data":${nestedArrays(65)}}`]) {
        const call = method === 'GET' ? request(server).get(path).set('X-API-Key', KEY) : request(server).post(path);
        const response = await call.set('Content-Type', 'application/json').send(body);
        expect({ path, status: response.status, code: response.body.code }).toEqual({ path, status: 400, code: 1 });
        // /paint/save's body is checked where it is parsed; elsewhere it is this check.
        if (path !== '/paint/save') expect(response.body.message).toMatch(/nested deeper than 64 levels/);
      }
    });

    it('still takes the nesting real bodies have', async () => {
      const username = uniqueName('depth');
      expect((await request(server).post('/paint/start').send({ username })).status).toBe(200);
      expect((await request(server).post('/paint/save').send(aSaveBody(username))).status).toBe(200);
    });
  });

  describe('refused generations cost nothing', () => {
    const sketch = sketchDataUrl(30);

    it.each([
      ['an unknown app', { appid: 42, type: 1, prompts: { designTask: TASK, designTexts: ['a'], designImage: sketch, schemeId: 1 } }, /Unknown appid 42/],
      ['an unknown type', { appid: 0, type: 8, prompts: { designTask: TASK, designTexts: ['a'], designImage: sketch, schemeId: 1 } }, /Unknown type 8/],
      ['invalid inputs beside a valid sketch', { appid: 0, type: 1, prompts: { designTask: TASK, designImage: sketch, schemeId: 1 } }, /prompts\.designTexts/],
      ['a sketch in a field nobody reads', { appid: 0, type: 0, prompts: { task: TASK, num: 0, extra: [sketch, sketch] } }, /prompts\.num/],
      ['a type-2 scheme without texts', { appid: 0, type: 2, prompts: { designTask: TASK, selectNum: 1, schemes: [{ designImage: sketch }] } }, /prompts\.schemes\.0\.designTexts/],
    ])('%s: 400 naming why, no record, no stored file, and the refusal counted', async (_label, body, message) => {
      const before = await footprint();
      const username = uniqueName('refused');
      expectRefused(await request(server).post('/generate').send({ ...body, username }), 400, message);
      expect(await footprint()).toEqual({ ...before, refused: before.refused + 1 });
      expect((await research(`/experiments?username=${username}`)).body.data.items).toEqual([]);
    });

    it('inputs too large for a record besides their images: 400 saying so, nothing stored', async () => {
      const before = await footprint();
      const prompts = { task: TASK, num: 1, notes: 'x'.repeat(9 * 1024 * 1024) };
      expectRefused(await request(server).post('/generate').send({ appid: 0, type: 0, prompts }), 400, /prompts hold 9\.0 MB besides their images/);
      expect(await footprint()).toEqual({ ...before, refused: before.refused + 1 });
    });
  });

  describe('only real images are taken as images', () => {
    const notAnImage = `data:image/png;base64,${Buffer.from('not a picture at all').toString('base64')}`;
    const svg = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>').toString('base64')}`;

    it.each([
      ['bytes that are no image', notAnImage, /is not a PNG, JPEG or WebP image/],
      ['an SVG', svg, /is not a PNG, JPEG or WebP image/],
      ['an http URL', 'http://example.com/sketch.png', /must be an image data URL/],
      ['an https URL', 'https://example.com/sketch.png', /must be an image data URL/],
      ['base64 that is broken', 'data:image/png;base64,iVBORw0K!!!', /is not valid base64/],
      ['a number', 7, /must be an image data URL/],
    ])('%s: 400 naming the field, in type 1 and in a type-2 scheme', async (_label, image, problem) => {
      const before = await footprint();
      const deep = await request(server)
        .post('/generate')
        .send({ appid: 0, type: 1, prompts: { designTask: TASK, designTexts: ['a'], designImage: image, schemeId: 1 } });
      expectRefused(deep, 400, new RegExp(`prompts\\.designImage: designImage ${problem.source}`));
      const naming = await request(server)
        .post('/generate')
        .send({ appid: 0, type: 2, prompts: { designTask: TASK, selectNum: 1, schemes: [{ designTexts: ['a'] }, { designTexts: ['b'], designImage: image }] } });
      expectRefused(naming, 400, new RegExp(`prompts\\.schemes\\.1\\.designImage: designImage ${problem.source}`));
      expect(await footprint()).toEqual({ ...before, refused: before.refused + 2 });
    });
  });

  describe('values that cannot be kept', () => {
    it.each([
      ['an integer beyond 2^53', '{"task":"t","num":1,"seed":9007199254740993}', /prompts\.seed: 9007199254740992 is an integer beyond ±2\^53/],
      ['a negative one in a list', '{"task":"t","num":1,"seeds":[1,-18014398509481984]}', /prompts\.seeds\[1\]: -18014398509481984 is an integer beyond ±2\^53/],
      ['a NUL in a text', '{"task":"t\\u0000ask","num":1}', /prompts\.task: a text must not hold a NUL character/],
    ])('%s: 400 naming where, nothing recorded', async (_label, prompts, message) => {
      const before = await footprint();
      expectRefused(await postJson('/generate', `{"appid":0,"type":0,"prompts":${prompts}}`), 400, message);
      expect((await footprint()).records).toBe(before.records);
    });

    it('prototype keys are never taken for fields: a `__proto__` cannot supply what validation asks for', async () => {
      // Were `__proto__` applied, num would be inherited from it and pass validation.
      expectRefused(await postJson('/generate', '{"appid":0,"type":0,"prompts":{"task":"t","__proto__":{"num":1}}}'), 400, /prompts\.num/);
      expectRefused(await postJson('/generate', '{"appid":0,"type":0,"__proto__":{"prompts":{"task":"t","num":1}}}'), 400, /prompts/);
      expectRefused(await postJson('/paint/start', '{"__proto__":{"username":"mallory"}}'), 400, /username/);
      // An own `constructor` is data too, not the class to build.
      const username = uniqueName('ctor');
      const start = await postJson('/paint/start', `{"username":"${username}","constructor":"x","prototype":{"constructor":1}}`);
      expect(start.body).toMatchObject({ success: true, data: { username } });
      expect(({} as Record<string, unknown>).num).toBeUndefined();
      expect(({} as Record<string, unknown>).username).toBeUndefined();
    });
  });

  describe('odd but valid inputs are recorded exactly as sent', () => {
    /** Keys no database document can hold as they are, and nesting a flat store would lose. */
    const ODD_EXTRAS = [
      '"a.b":{"c.d":[1,2]}',
      '"$where":"1 == 1","$gt":{"$ne":null}',
      '"__proto__":{"polluted":true,"num":99}',
      '"constructor":{"prototype":{"polluted":true}}',
      '"prototype":[]',
      '"nul\\u0000key":{"\\u0000":"x"}',
      '"grid":[[1,[2,[3,[]]]],[],[[["deep"]]]]',
      `"nested":${nestedObjects(60)}`,
      '"numbers":[0,-0.5,1.5e-7,9007199254740991,-9007199254740991]',
      '"empty":{},"nothing":null,"yes":true,"text":"emoji 🎨 and \\ud83d alone"',
    ].join(',');

    it('answers 200 and the record, list entry and export hold the inputs as sent', async () => {
      const username = uniqueName('odd');
      const prompts = `{"task":"${TASK}","num":1,${ODD_EXTRAS}}`;
      const generated = await postJson('/generate', `{"appid":0,"type":0,"username":"${username}","prompts":${prompts}}`);
      expect(generated.status).toBe(200);
      expect(generated.body).toMatchObject({ success: true, data: { count: 1 } });

      const page = await research(`/experiments?username=${username}`);
      expect(page.body.data.items).toHaveLength(1);
      const id: string = page.body.data.items[0]._id;
      // Compared as text: what was sent, parsed and written again, is what the record gives back.
      const sent = JSON.stringify(JSON.parse(prompts));
      const record = await research(`/experiments/${id}`);
      expect(record.status).toBe(200);
      expect(JSON.stringify(record.body.data.inputs)).toBe(sent);
      expect(record.body.data.status).toBe('succeeded');

      const exported = await research(`/experiments/export?format=jsonl&username=${username}`).buffer(true);
      const lines = exported.text.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.stringify(JSON.parse(lines[0]).inputs)).toBe(sent);
      expect(JSON.parse(lines[0]).id).toBe(id);

      // Nothing leaked into the prototype of every object in this process (the server's too).
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});
