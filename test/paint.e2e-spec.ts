/**
 * /paint/start and /paint/save over HTTP against the real database, with the front end's
 * exact bodies (docs/front-end-contract.md). Every test uses its own usernames, so none depends on another.
 */
import request from 'supertest';
import { createHash } from 'node:crypto';
import { mongo } from 'mongoose';
import { createTestApp, TestApp } from './support/test-app';
import {
  aCanvasPath,
  aPngDataUrl,
  aPoint,
  aRandomDataUrl,
  aSaveBody,
  aScheme,
  aSvg,
  SaveBody,
  Scheme,
  uniqueName,
} from './support/builders';

const STORED_STAGES = {
  快速发散: 'rapidDivergenceSchemes',
  深入发散: 'deepDivergenceSchemes',
  收敛: 'convergenceSchemes',
} as const;

/** HTTP and database helpers bound to one test app. */
function paintClient(testApp: TestApp) {
  const server = testApp.app.getHttpServer();
  const db = () => testApp.connection.db!;

  async function start(username: string) {
    const response = await request(server).post('/paint/start').send({ username });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ success: true, code: 0, message: '' });
    return response.body.data;
  }

  function save(body: unknown) {
    return request(server).post('/paint/save').send(body as object);
  }

  async function saveOk(body: SaveBody) {
    const response = await save(body);
    expect(response.body).toEqual({ success: true, data: null, code: 0, message: '' });
    expect(response.status).toBe(200);
  }

  async function sketchFiles(owner: string) {
    return db().collection('sketches.files').find({ 'metadata.owner': owner }).toArray();
  }

  return { server, db, start, save, saveOk, sketchFiles };
}

/** The id a sketch is stored under: its JSON text's SHA-256, per owner. */
function sketchBlobId(owner: string, sketch: string): string {
  return `${owner}:${createHash('sha256').update(JSON.stringify(sketch)).digest('hex')}`;
}

/** What /paint/start must return after saving `body` for a user whose _id is `id`. */
function expectedState(id: string, body: SaveBody) {
  return {
    _id: id,
    username: body.username,
    currentStage: body.data.currentStage,
    designTask: body.data.designTask,
    rapidDivergenceSchemes: body.data.designSchemes['快速发散'],
    deepDivergenceSchemes: body.data.designSchemes['深入发散'],
    convergenceSchemes: body.data.designSchemes['收敛'],
  };
}

describe('/paint (e2e)', () => {
  let testApp: TestApp;
  let client: ReturnType<typeof paintClient>;
  let server: ReturnType<typeof paintClient>['server'];

  beforeAll(async () => {
    // No blobs kept in memory: every state read back comes from the database.
    testApp = await createTestApp({ SKETCH_CACHE_MB: '0' });
    client = paintClient(testApp);
    server = client.server;
  });

  afterAll(async () => {
    await testApp?.close();
  });

  const db = () => client.db();
  const start = (username: string) => client.start(username);
  const save = (body: unknown) => client.save(body);
  const saveOk = (body: SaveBody) => client.saveOk(body);
  const sketchFiles = (owner: string) => client.sketchFiles(owner);

  describe('POST /paint/start', () => {
    it('creates a new user with the default state and returns the same _id on the next visit', async () => {
      const username = uniqueName('alice');
      const first = await request(server).post('/paint/start').send({ username });
      expect(first.status).toBe(200);
      expect(first.headers['content-type']).toMatch(/application\/json/);
      expect(first.body).toEqual({
        success: true,
        code: 0,
        message: '',
        data: {
          _id: expect.any(String),
          username,
          currentStage: '准备',
          designTask: '',
          rapidDivergenceSchemes: [],
          deepDivergenceSchemes: [],
          convergenceSchemes: [],
        },
      });
      expect(first.body.data._id).toMatch(/^[0-9a-f]{24}$/);

      const second = await start(username);
      expect(second._id).toBe(first.body.data._id);
      expect(await db().collection('users').countDocuments({ username })).toBe(1);
    });

    it.each([
      ['empty', { username: '' }],
      ['whitespace-only', { username: '   \t ' }],
      ['missing', {}],
      ['not a string', { username: 42 }],
    ])('refuses a %s username with 400, code 1, naming the field', async (_label, body) => {
      const before = await db().collection('users').countDocuments();
      const response = await request(server).post('/paint/start').send(body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ success: false, data: null, code: 1, message: expect.stringContaining('username') });
      expect(await db().collection('users').countDocuments()).toBe(before);
    });

    it('creates exactly one user when ten first visits race', async () => {
      const username = uniqueName('racer');
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => request(server).post('/paint/start').send({ username })),
      );
      for (const response of responses) {
        expect(response.status).toBe(200);
        expect(response.body.success).toBe(true);
      }
      const ids = new Set(responses.map((response) => response.body.data._id));
      expect(ids.size).toBe(1);
      expect(await db().collection('users').countDocuments({ username })).toBe(1);
    });
  });

  describe('POST /paint/save', () => {
    it('answers 404, code 1 for a user that never started, and stores nothing for it', async () => {
      const username = uniqueName('ghost');
      const filesBefore = await db().collection('sketches.files').countDocuments();
      const response = await save(aSaveBody(username, { schemes: { 快速发散: [aScheme({ canvasImage: aRandomDataUrl(2000) })] } }));
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ success: false, data: null, code: 1, message: expect.stringContaining(username) });
      expect(await db().collection('users').countDocuments({ username })).toBe(0);
      expect(await db().collection('sketches.files').countDocuments()).toBe(filesBefore);
    });

    it('returns from /paint/start exactly what was saved, unknown fields included', async () => {
      const username = uniqueName('roundtrip');
      const { _id } = await start(username);
      const body = aSaveBody(username, {
        designTask: '设计一款运动辅助产品',
        currentStage: '深入发散',
        schemes: {
          快速发散: [
            aScheme({ name: '方案1', canvasImage: aPngDataUrl(), clientId: 'a1b2', extra: { liked: true, tags: ['轻便', '折叠'] } }),
            aScheme({
              name: '方案2',
              paths: [aCanvasPath({ points: 20, strokeColor: '#ff0000', strokeWidth: 2.5 })],
              texts: [
                { text: '带灯', position: aPoint({ x: 1.5, y: 2.25 }) },
                { text: '', position: aPoint({ x: 0, y: 0 }) },
              ],
              canvasImage: aRandomDataUrl(5000),
              canvasSvg: aSvg('方案2'),
            }),
          ],
          深入发散: [
            // A scheme never exported: no canvasImage, no canvasSvg.
            { name: '方案3', paths: [aCanvasPath({ startTimestamp: undefined, endTimestamp: undefined })], texts: [] },
            aScheme({ name: '方案4', paths: [], texts: [], canvasImage: aRandomDataUrl(3000) }),
          ],
          收敛: [aScheme({ name: '方案5', canvasImage: aRandomDataUrl(4000), note: null, score: 0.5 })],
        },
      });
      // JSON drops undefined keys, as the front end's JSON.stringify does.
      const sent: SaveBody = JSON.parse(JSON.stringify(body));
      await saveOk(sent);

      const state = await start(username);
      expect(state.rapidDivergenceSchemes).toEqual(sent.data.designSchemes['快速发散']);
      expect(state.deepDivergenceSchemes).toEqual(sent.data.designSchemes['深入发散']);
      expect(state.convergenceSchemes).toEqual(sent.data.designSchemes['收敛']);
      expect(state.designTask).toBe('设计一款运动辅助产品');
      expect(state.currentStage).toBe('深入发散');
      expect(state).toEqual(expectedState(_id, sent));
      expect(state.rapidDivergenceSchemes[0].clientId).toBe('a1b2');
      expect(state.rapidDivergenceSchemes[0].extra).toEqual({ liked: true, tags: ['轻便', '折叠'] });
      // Exactly as sent, down to the order of the keys.
      for (const [stage, field] of Object.entries(STORED_STAGES) as [keyof typeof STORED_STAGES, string][]) {
        expect(JSON.stringify(state[field])).toBe(JSON.stringify(sent.data.designSchemes[stage]));
      }
    });

    it('keeps what was stored for a stage sent as null', async () => {
      const username = uniqueName('nullstage');
      const { _id } = await start(username);
      const rapid = [aScheme({ name: '快1', canvasImage: aRandomDataUrl(1500) })];
      const deep = [aScheme({ name: '深1', canvasImage: aRandomDataUrl(1500) })];
      await saveOk(aSaveBody(username, { currentStage: '快速发散', schemes: { 快速发散: rapid, 深入发散: deep, 收敛: [] } }));

      const converge = [aScheme({ name: '收1' })];
      await saveOk(
        aSaveBody(username, { currentStage: '收敛', designTask: '新任务', schemes: { 快速发散: null, 深入发散: null, 收敛: converge } }),
      );

      const state = await start(username);
      expect(state).toEqual({
        _id,
        username,
        currentStage: '收敛',
        designTask: '新任务',
        rapidDivergenceSchemes: rapid,
        deepDivergenceSchemes: deep,
        convergenceSchemes: converge,
      });
    });

    it('deletes a replaced sketch, and stores the same sketch saved twice once', async () => {
      const username = uniqueName('gc');
      const { _id } = await start(username);
      const sketchA = aRandomDataUrl(4000);
      const sketchB = aRandomDataUrl(4000);
      const withSketch = (canvasImage: string) =>
        aSaveBody(username, { schemes: { 快速发散: [aScheme({ canvasImage, canvasSvg: undefined })] } });
      const ids = async () => (await sketchFiles(_id)).map((file) => String(file._id)).sort();

      await saveOk(withSketch(sketchA));
      const afterOnce = await ids();
      await saveOk(withSketch(sketchA));
      // The scheme's text and its sketch, each once.
      expect(await ids()).toEqual(afterOnce);
      expect(afterOnce).toHaveLength(2);
      expect(afterOnce).toContain(sketchBlobId(_id, sketchA));

      await saveOk(withSketch(sketchB));
      const afterReplace = await ids();
      expect(afterReplace).toHaveLength(2);
      expect(afterReplace).toContain(sketchBlobId(_id, sketchB));
      expect(afterReplace).not.toContain(sketchBlobId(_id, sketchA));
      // And no chunks of the replaced file remain.
      expect(await db().collection('sketches.chunks').countDocuments({ files_id: sketchBlobId(_id, sketchA) })).toBe(0);

      const state = await start(username);
      expect(state.rapidDivergenceSchemes[0].canvasImage).toBe(sketchB);
    });

    it('round-trips an empty SVG', async () => {
      const username = uniqueName('edge');
      await start(username);
      const body = aSaveBody(username, { schemes: { 快速发散: [aScheme({ canvasSvg: '' })] } });
      await saveOk(body);
      const state = await start(username);
      expect(state.rapidDivergenceSchemes).toEqual(body.data.designSchemes['快速发散']);
    });

    it('keeps a sketch that two saves of one user write at the same time, and each save is whole', async () => {
      const username = uniqueName('shared');
      const { _id } = await start(username);
      const shared = aRandomDataUrl(300_000);
      const first = aSaveBody(username, { designTask: '一', schemes: { 快速发散: [aScheme({ canvasImage: shared })] } });
      const second = aSaveBody(username, { designTask: '二', schemes: { 快速发散: [aScheme({ canvasImage: shared, note: '二' })] } });
      for (let round = 0; round < 5; round++) {
        const answers = await Promise.all([save(first), save(second)]);
        for (const answer of answers) expect(answer.body).toEqual({ success: true, data: null, code: 0, message: '' });
        const state = await start(username);
        expect([expectedState(_id, first), expectedState(_id, second)]).toContainEqual(state);
      }
      // The sketch and the SVG once each, and the text of the scheme saved last.
      expect(await sketchFiles(_id)).toHaveLength(3);
    });

    describe('a failed save leaves the previous state intact', () => {
      async function givenSavedState(prefix: string) {
        const username = uniqueName(prefix);
        const { _id } = await start(username);
        const body = aSaveBody(username, {
          currentStage: '快速发散',
          schemes: { 快速发散: [aScheme({ canvasImage: aRandomDataUrl(3000) })], 深入发散: [aScheme({ name: '深' })] },
        });
        await saveOk(body);
        const files = (await sketchFiles(_id)).map((file) => String(file._id)).sort();
        return { username, _id, body, files };
      }

      async function expectUnchanged(given: Awaited<ReturnType<typeof givenSavedState>>) {
        expect(await start(given.username)).toEqual(expectedState(given._id, given.body));
        expect((await sketchFiles(given._id)).map((file) => String(file._id)).sort()).toEqual(given.files);
      }

      it.each([
        [
          'a point whose x is a string',
          (scheme: Scheme) => ({ ...scheme, paths: [aCanvasPath({ paths: [{ x: 'a' as unknown as number, y: 1 }] })] }),
          undefined,
          /paths\.0\.paths: paths\.0\.x must be a number/,
        ],
        ['a canvasImage that is not a data URL', (scheme: Scheme) => ({ ...scheme, canvasImage: 'http://example.com/x.png' }), undefined, /canvasImage must be an image data URL/],
        [
          'a canvasImage whose bytes are not an image',
          (scheme: Scheme) => ({ ...scheme, canvasImage: `data:image/png;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>').toString('base64')}` }),
          undefined,
          /快速发散\.0\.canvasImage: canvasImage is not a PNG, JPEG or WebP image/,
        ],
        ['an unknown currentStage', (scheme: Scheme) => scheme, '完成了', /currentStage/],
      ])('on %s: 400 naming the field', async (_label, change, currentStage, path) => {
        const given = await givenSavedState('invalid');
        const bad = aSaveBody(given.username, {
          designTask: '不应保存',
          currentStage: currentStage ?? '深入发散',
          schemes: { 快速发散: [change(aScheme({ canvasImage: aRandomDataUrl(3000) }))], 深入发散: [] },
        });
        const response = await save(bad);
        expect(response.status).toBe(400);
        expect(response.body).toEqual({ success: false, data: null, code: 1, message: expect.stringMatching(path) });
        await expectUnchanged(given);
      });

      it('on a body over PAINT_SAVE_BODY_LIMIT: 413, code 1, naming the setting', async () => {
        const given = await givenSavedState('toolarge');
        const small = await createTestApp({ PAINT_SAVE_BODY_LIMIT: '64kb' });
        try {
          const response = await request(small.app.getHttpServer())
            .post('/paint/save')
            .send(aSaveBody(given.username, { schemes: { 快速发散: [aScheme({ canvasImage: aRandomDataUrl(100_000) })] } }));
          expect(response.status).toBe(413);
          expect(response.body).toEqual({ success: false, data: null, code: 1, message: expect.stringContaining('PAINT_SAVE_BODY_LIMIT') });
        } finally {
          await small.close();
        }
        await expectUnchanged(given);
      });

    });

    it('stores a state larger than a MongoDB document holds (17 MB of notes, no sketches) and returns it exactly', async () => {
      const username = uniqueName('huge');
      const { _id } = await start(username);
      const notes = Array.from({ length: 17 }, (_, i) => ({ text: `${i}`.padEnd(1024 * 1024, 'n'), position: aPoint() }));
      const body = aSaveBody(username, { schemes: { 快速发散: [aScheme({ name: '巨大', texts: notes, canvasImage: aRandomDataUrl(3000) })] } });
      await saveOk(body);
      expect(await start(username)).toEqual(expectedState(_id, body));
    });
  });
});

// On its own database, so the other tests' timings do not share its 24 MB.
describe('/paint/save of a long session (e2e)', () => {
  let testApp: TestApp;
  let client: ReturnType<typeof paintClient>;

  beforeAll(async () => {
    testApp = await createTestApp({ SKETCH_CACHE_MB: '0' });
    client = paintClient(testApp);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('saves 40 schemes with ~600 KB sketches (a body over 24 MB) and returns them exactly', async () => {
    const username = uniqueName('bigsave');
    const { _id } = await client.start(username);
    const schemes = Array.from({ length: 40 }, (_, i) =>
      aScheme({
        name: `方案${i + 1}`,
        paths: Array.from({ length: 10 }, (_, j) => aCanvasPath({ points: 30, startTimestamp: 1732680000000 + i * 1000 + j })),
        canvasImage: aRandomDataUrl(620 * 1024),
      }),
    );
    const body = aSaveBody(username, {
      currentStage: '收敛',
      schemes: { 快速发散: schemes.slice(0, 20), 深入发散: schemes.slice(20, 32), 收敛: schemes.slice(32) },
    });
    const json = JSON.stringify(body);
    expect(Buffer.byteLength(json)).toBeGreaterThanOrEqual(24 * 1024 * 1024);

    const response = await request(client.server).post('/paint/save').set('Content-Type', 'application/json').send(json);
    expect(response.body).toEqual({ success: true, data: null, code: 0, message: '' });
    expect(response.status).toBe(200);

    const state = await client.start(username);
    expect(state).toEqual(expectedState(_id, body));

    const raw = await client.db().collection('paint_states').findOne({ username });
    expect(raw).not.toBeNull();
    expect(mongo.BSON.calculateObjectSize(raw!)).toBeLessThan(64 * 1024);
    // One file per distinct sketch (40 images, one shared default SVG) and per scheme's text.
    expect(await client.sketchFiles(_id)).toHaveLength(81);
  });
});
