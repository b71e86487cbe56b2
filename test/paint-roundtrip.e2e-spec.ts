/**
 * /paint/save then /paint/start with states the front end may produce but databases dislike:
 * each comes back exactly (as JSON.stringify of what JSON.parse made of the body, key order
 * included) or is refused with a 400 that says why, the stored state left as it was.
 */
import request from 'supertest';
import { binary } from './support/http';
import { createTestApp, isolatedDatabaseUri, TestApp } from './support/test-app';
import { aCanvasPath, aRandomDataUrl, aSaveBody, aScheme, SaveBody, uniqueName } from './support/builders';

const PLACEHOLDER = '"@@odd@@"';

/** A save body as JSON text whose first rapid-divergence scheme holds `fragment` (raw JSON) as `odd`. */
function bodyWith(username: string, fragment: string, designTask = '设计一款运动辅助产品'): string {
  const body = aSaveBody(username, {
    designTask,
    schemes: { 快速发散: [aScheme({ canvasImage: aRandomDataUrl(2000), odd: '@@odd@@' })], 深入发散: [aScheme({ name: '深' })] },
  });
  const text = JSON.stringify(body);
  return text.replace(PLACEHOLDER, fragment);
}

const nested = (levels: number) => '['.repeat(levels) + '"core"' + ']'.repeat(levels);

/** Levels of nesting a scheme's field may add: body, data, designSchemes, the stage's list and the scheme use 5 of 64. */
const FIELD_DEPTH = 64 - 5;

describe('/paint exactly as sent (e2e)', () => {
  let testApp: TestApp;
  let server: ReturnType<TestApp['app']['getHttpServer']>;

  beforeAll(async () => {
    // No blobs kept in memory: every state read back comes from the database.
    testApp = await createTestApp({ SKETCH_CACHE_MB: '0' });
    server = testApp.app.getHttpServer();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  async function start(username: string) {
    const response = await request(server).post('/paint/start').send({ username });
    expect(response.status).toBe(200);
    return response.body.data;
  }

  const saveText = (text: string | Buffer, type = 'application/json') =>
    request(server)
      .post('/paint/save')
      .set('Content-Type', type)
      // As given: a Buffer is sent as its bytes, not serialised (superagent passes them through).
      .serialize((body: string | Buffer) => body as unknown as string)
      .send(text);

  /** What /paint/start must answer after saving the body `text`, in JSON text. */
  function expectedText(id: string, text: string): string {
    const sent = JSON.parse(text) as SaveBody;
    return JSON.stringify({
      _id: id,
      username: sent.username,
      currentStage: sent.data.currentStage,
      designTask: sent.data.designTask,
      rapidDivergenceSchemes: sent.data.designSchemes['快速发散'],
      deepDivergenceSchemes: sent.data.designSchemes['深入发散'],
      convergenceSchemes: sent.data.designSchemes['收敛'],
    });
  }

  async function expectRoundTrip(fragment: string, designTask?: string) {
    const username = uniqueName('odd');
    const { _id } = await start(username);
    const text = bodyWith(username, fragment, designTask);
    const saved = await saveText(text);
    expect(saved.body).toEqual({ success: true, data: null, code: 0, message: '' });
    const started = await request(server).post('/paint/start').send({ username });
    expect(started.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.stringify(JSON.parse(started.text).data)).toBe(expectedText(_id, text));
  }

  /** A user with a saved state, and a check that it is still exactly that. */
  async function givenSavedState() {
    const username = uniqueName('kept');
    const { _id } = await start(username);
    const text = bodyWith(username, '{"kept":true}');
    expect((await saveText(text)).status).toBe(200);
    return { username, unchanged: async () => expect(JSON.stringify(await start(username))).toBe(expectedText(_id, text)) };
  }

  it.each([
    ['nested arrays in an unknown field', '[[1,[2,[3]]],[],[[[]]],[["a"],{"b":[[null]]}]]'],
    ['keys with . and $', '{"a.b":1,"$set":{"$inc":{"x.y":2}},".":".","$":"$","..$..":[{"$ref":"x","$id":1}]}'],
    ['NUL and other control characters in keys and values', '{"a\\u0000b":"x\\u0000y","\\u0001\\u001f":"\\t\\n\\r\\b\\f","\\u007f":["\\u0000"]}'],
    ['unpaired surrogates in keys and values', '{"\\ud800":"\\udc00x","x\\udfff":["\\ud83d"],"pair":"\\ud83d\\ude00"}'],
    ['emoji', '{"😀":"👩‍👩‍👧 ✓","flags":["🇨🇳","🏳️‍🌈"],"名字":"设计 😀"}'],
    ['numbers', '{"floats":[0.1,-1.5e-7,3.141592653589793],"negativeZero":-0,"big":1e21,"bigger":1E+300,"maxSafe":9007199254740991,"minSafe":-9007199254740991,"tiny":5e-324,"huge":1.7976931348623157e308,"exponent":2.5e3}'],
    ['empty objects, arrays, strings and keys', '{"":{},"a":[],"b":[{}],"c":"","d":[[],{}],"e":{"":""}}'],
    ['nesting within the limit', nested(FIELD_DEPTH)],
    ['integer-like keys, which JSON.parse puts first', '{"b":1,"10":2,"a":3,"2":4}'],
  ])('%s: comes back exactly', async (_label, fragment) => {
    await expectRoundTrip(fragment);
  });

  it('__proto__ and constructor keys at several depths: come back exactly, and pollute nothing', async () => {
    const username = uniqueName('proto');
    const { _id } = await start(username);
    const path = '{"drawMode":true,"strokeColor":"#000","strokeWidth":4,"__proto__":{"polluted":1},"paths":[{"x":1,"y":2,"constructor":{"prototype":{"polluted":1}}}]}';
    const scheme =
      `{"__proto__":{"polluted":1},"name":"方案","constructor":{"prototype":{"polluted":1}},"paths":[${path}],` +
      `"texts":[{"text":"t","position":{"x":1,"y":2,"__proto__":null}}],"extra":{"a":{"__proto__":[1],"constructor":"c"}},"canvasImage":"${aRandomDataUrl(500)}"}`;
    const text = JSON.stringify(aSaveBody(username, { schemes: { 快速发散: [] } })).replace('"快速发散":[]', `"快速发散":[${scheme}]`);
    expect((await saveText(text)).body).toEqual({ success: true, data: null, code: 0, message: '' });
    expect(JSON.stringify(await start(username))).toBe(expectedText(_id, text));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a constructor key does not keep a scheme from being validated', async () => {
    const given = await givenSavedState();
    const text = JSON.stringify(aSaveBody(given.username, { schemes: { 快速发散: [] } })).replace(
      '"快速发散":[]',
      '"快速发散":[{"constructor":1,"name":5,"paths":[],"texts":[]}]',
    );
    const response = await saveText(text);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ success: false, data: null, code: 1, message: expect.stringContaining('data.designSchemes.快速发散.0.name') });
    await given.unchanged();
  });

  it('a design task with NUL and unpaired surrogates: comes back exactly', async () => {
    await expectRoundTrip('1', '任务\u0000\ud800 😀');
  });

  it('nesting beyond the limit: 400 naming the path, the stored state intact', async () => {
    const given = await givenSavedState();
    const response = await saveText(bodyWith(given.username, nested(FIELD_DEPTH + 1)));
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      success: false,
      data: null,
      code: 1,
      message: `Invalid request: data.designSchemes.快速发散[0].odd${'[0]'.repeat(FIELD_DEPTH)}: nested deeper than 64 levels`,
    });
    await given.unchanged();
  });

  it('an integer a double cannot hold: 400 naming the path, the stored state intact', async () => {
    const given = await givenSavedState();
    const response = await saveText(bodyWith(given.username, '{"id":[1,9007199254740993]}'));
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      success: false,
      data: null,
      code: 1,
      message:
        'Invalid request: data.designSchemes.快速发散[0].odd.id[1]: 9007199254740993 is an integer a JSON number cannot hold exactly (beyond ±2^53); send it as a string',
    });
    await given.unchanged();
  });

  it.each([
    ['/paint/start', (username: string) => `{"username":${JSON.stringify(username)},"pad":${nested(100_000)}}`],
    ['/paint/save', (username: string) => bodyWith(username, nested(100_000))],
  ])('nesting 100,000 levels deep on %s: 400, code 1, not a 500', async (route, body) => {
    const username = uniqueName('deeper');
    await start(username);
    const response = await request(server).post(route).set('Content-Type', 'application/json').send(body(username));
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ success: false, data: null, code: 1, message: expect.stringMatching(/nested deeper than 64 levels\.?$/) });
  });

  it.each([
    ['not JSON', () => '{"username": "x",', 'application/json', /^Request body is not valid JSON: /],
    ['not UTF-8', () => Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), 'application/json', /^Request body is not valid UTF-8\.$/],
    ['sent as text/plain', (username: string) => bodyWith(username, '1'), 'text/plain', /Content-Type: application\/json/],
    ['a JSON array', () => '[1,2]', 'application/json', /must be a JSON object/],
    ['without data', (username: string) => JSON.stringify({ username }), 'application/json', /data: /],
  ])('a body %s: 400, code 1, saying why', async (_label, body, type, message) => {
    const username = uniqueName('transport');
    await start(username);
    const response = await saveText(body(username), type);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ success: false, data: null, code: 1, message: expect.stringMatching(message) });
  });

  it('50 saves at once, of 25 users and of one user: every answer 200, each state whole', async () => {
    const one = uniqueName('busy');
    const others = Array.from({ length: 25 }, () => uniqueName('crowd'));
    const ids = new Map<string, string>();
    for (const username of [one, ...others]) ids.set(username, (await start(username))._id);
    const mine = Array.from({ length: 25 }, (_, i) =>
      JSON.stringify(aSaveBody(one, { designTask: `第${i}次`, schemes: { 快速发散: [aScheme({ name: `${i}`, canvasImage: aRandomDataUrl(4000) })] } })),
    );
    const theirs = others.map((username) => JSON.stringify(aSaveBody(username, { schemes: { 收敛: [aScheme({ canvasImage: aRandomDataUrl(4000) })] } })));

    const answers = await Promise.all([...mine, ...theirs].map((text) => saveText(text)));
    for (const answer of answers) expect(answer.body).toEqual({ success: true, data: null, code: 0, message: '' });

    expect(mine.map((text) => expectedText(ids.get(one)!, text))).toContain(JSON.stringify(await start(one)));
    for (const [index, username] of others.entries()) expect(JSON.stringify(await start(username))).toBe(expectedText(ids.get(username)!, theirs[index]));
  });
});

describe('/paint/save of 700,000 stroke points (e2e)', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    // Commands are watched to see when the save reaches the database.
    const uri = new URL(isolatedDatabaseUri());
    uri.searchParams.set('monitorCommands', 'true');
    testApp = await createTestApp({ MONGODB_URI: uri.toString(), SKETCH_CACHE_MB: '0' });
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('keeps /ping answering while it is parsed and validated, and returns the state exactly', async () => {
    const server = testApp.app.getHttpServer();
    const username = uniqueName('points');
    const { _id } = (await request(server).post('/paint/start').send({ username })).body.data;
    // 700 strokes of 1,000 points, written as the front end's JSON.stringify would, without building 700,000 objects.
    const stroke = JSON.stringify(aCanvasPath({ points: 1000 })).replace(/"x":[^,]+,"y":[^}]+/g, (_, i: number) => `"x":${100.123 + (i % 997) * 0.25},"y":${50.456 + (i % 991) * 0.125}`);
    const strokes = Array.from({ length: 700 }, (_, i) => stroke.replace('"startTimestamp":1732680000000', `"startTimestamp":${1732680000000 + i}`)).join(',');
    const scheme = JSON.stringify(aScheme({ paths: [], canvasImage: aRandomDataUrl(2000) })).replace('"paths":[]', `"paths":[${strokes}]`);
    const text = JSON.stringify(aSaveBody(username, { schemes: { 快速发散: [] } })).replace('"快速发散":[]', `"快速发散":[${scheme}]`);
    expect(text.length).toBeGreaterThan(20_000_000);

    // The order things happen in: pings answered, the save's first database command.
    const events: string[] = [];
    const client = testApp.connection.getClient();
    const onCommand = (event: { commandName: string; command: Record<string, unknown> }) => {
      if (event.commandName === 'find' && event.command.find === 'paint_states') events.push('save reached the database');
    };
    client.on('commandStarted', onCommand);
    try {
      let saved = false;
      const save = request(server)
        .post('/paint/save')
        .set('Content-Type', 'application/json')
        .send(text)
        .then((response) => {
          saved = true;
          return response;
        });
      for (let pings = 0; pings < 25 && !saved; pings++) {
        expect((await request(server).get('/ping')).text).toBe('pong');
        events.push('ping');
      }
      expect((await save).body).toEqual({ success: true, data: null, code: 0, message: '' });
      // Pings sent one after another are answered while the body is parsed and validated (before
      // the save first asks the database), which an event loop busy validating could not do.
      expect(events.slice(0, 26)).toEqual([...Array.from({ length: 25 }, () => 'ping'), 'save reached the database']);
    } finally {
      client.off('commandStarted', onCommand);
    }

    const started = await request(server).post('/paint/start').send({ username }).buffer(true).parse(binary);
    const state = JSON.stringify({ _id, username, currentStage: '快速发散', designTask: '设计一款运动辅助产品', rapidDivergenceSchemes: [], deepDivergenceSchemes: [], convergenceSchemes: [] });
    const answer = JSON.stringify({ success: true, data: '@@state@@', code: 0, message: '' }).replace('"@@state@@"', state.replace('"rapidDivergenceSchemes":[]', `"rapidDivergenceSchemes":[${scheme}]`));
    const returned = (started.body as Buffer).toString('utf8');
    expect(returned.length).toBe(answer.length);
    // Compared whole, without a 20 MB diff should it fail.
    expect(returned === answer).toBe(true);
  });
});
