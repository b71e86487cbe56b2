/**
 * Every failure answers in the envelope of docs/front-end-contract.md with the right code and HTTP status,
 * over HTTP against the real application and database.
 */
import { Controller, Get, Post } from '@nestjs/common';
import request from 'supertest';
import { aSaveBody, aScheme, uniqueName } from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

const SECRET_DETAIL = 'connection to 10.1.2.3 refused for user admin';

/** A route that fails the way a bug would: a plain Error, not one of the app's own. */
@Controller('test-only')
class ExplodingController {
  @Get('boom')
  boom(): never {
    throw new Error(SECRET_DETAIL);
  }

  @Post('boom-async')
  async boomAsync(): Promise<never> {
    await new Promise((resolve) => setImmediate(resolve));
    throw new TypeError(`Cannot read properties of undefined (reading 'password') at ${SECRET_DETAIL}`);
  }
}

/** The real app plus a test-only route that throws; the logger is off because the filter logs that stack. */
const createAppWithExplodingRoute = () => createTestApp({}, { controllers: [ExplodingController], logger: false });

const failure = (code: number, message: unknown = expect.any(String)) => ({ success: false, data: null, code, message });

describe('errors and plain routes (e2e)', () => {
  let testApp: TestApp;
  let server: ReturnType<TestApp['app']['getHttpServer']>;

  beforeAll(async () => {
    testApp = await createTestApp();
    server = testApp.app.getHttpServer();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  describe('unknown routes', () => {
    it.each(['GET', 'POST'] as const)('%s of an unknown route: 404 envelope naming the method and path', async (method) => {
      const path = `/no-such-route-${uniqueName('r')}`;
      const call = method === 'GET' ? request(server).get(path) : request(server).post(path).send({ a: 1 });
      const response = await call;
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toMatch(/application\/json/);
      expect(response.body).toEqual(failure(1));
      expect(response.body.message).toContain(method);
      expect(response.body.message).toContain(path);
    });

    it('GET of a POST-only route is a 404 envelope too', async () => {
      const response = await request(server).get('/paint/start');
      expect(response.status).toBe(404);
      expect(response.body).toEqual(failure(1, expect.stringContaining('GET /paint/start')));
    });
  });

  describe('bodies', () => {
    it('a body that is not JSON: 400, code 1, "not valid JSON"', async () => {
      const response = await request(server)
        .post('/paint/start')
        .set('Content-Type', 'application/json')
        .send('{"username": "alice",');
      expect(response.status).toBe(400);
      expect(response.body).toEqual(failure(1, expect.stringContaining('not valid JSON')));
    });

    it('each route has its own body limit: 413, code 1, naming the setting that applies', async () => {
      const small = await createTestApp({ BODY_LIMIT: '1kb', PAINT_SAVE_BODY_LIMIT: '2kb', GENERATE_BODY_LIMIT: '3kb' });
      try {
        const username = uniqueName('limit');
        const smallServer = small.app.getHttpServer();
        // Within the limit, the same app works.
        expect((await request(smallServer).post('/paint/start').send({ username })).status).toBe(200);

        const save = await request(smallServer)
          .post('/paint/save')
          .send(aSaveBody(username, { schemes: { 快速发散: [aScheme({ name: 'x'.repeat(4096) })] } }));
        expect(save.status).toBe(413);
        expect(save.body).toEqual(failure(1, expect.stringContaining('(PAINT_SAVE_BODY_LIMIT)')));

        const start = await request(smallServer).post('/paint/start').send({ username: 'x'.repeat(1500) });
        expect(start.status).toBe(413);
        expect(start.body).toEqual(failure(1, expect.stringContaining('(BODY_LIMIT)')));

        // 2.5 KB: over BODY_LIMIT, within GENERATE_BODY_LIMIT, so it reaches validation.
        const within = await request(smallServer).post('/generate').send({ appid: 0, type: 0, prompts: { task: '', pad: 'x'.repeat(2500) } });
        expect(within.status).toBe(400);
        const generate = await request(smallServer).post('/generate').send({ appid: 0, type: 0, prompts: { task: 'x'.repeat(4000), num: 1 } });
        expect(generate.status).toBe(413);
        expect(generate.body).toEqual(failure(1, expect.stringContaining('(GENERATE_BODY_LIMIT)')));
      } finally {
        await small.close();
      }
    });

    it('the default limit takes a body far over 100 KB', async () => {
      const username = uniqueName('default-limit');
      await request(server).post('/paint/start').send({ username }).expect(200);
      const response = await request(server)
        .post('/paint/save')
        .send(aSaveBody(username, { schemes: { 快速发散: [aScheme({ canvasSvg: 's'.repeat(3 * 1024 * 1024) })] } }));
      expect(response.status).toBe(200);
      expect(response.body.success).toBe(true);
    });
  });

  describe('/ping and /health', () => {
    it.each(['GET', 'POST'] as const)('%s /ping answers the plain text pong', async (method) => {
      const response = method === 'GET' ? await request(server).get('/ping') : await request(server).post('/ping');
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.text).toBe('pong');
    });

    it('GET /health reports the database up in the envelope', async () => {
      const response = await request(server).get('/health');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        success: true,
        code: 0,
        message: '',
        data: { status: 'ok', info: { database: { status: 'up' } } },
      });
    });
  });

  describe('POST /generate', () => {
    it('an unknown appid: 400, code 1, listing the known apps', async () => {
      const response = await request(server).post('/generate').send({ appid: 77, type: 0, prompts: { task: 't', num: 6 } });
      expect(response.status).toBe(400);
      expect(response.body).toEqual(failure(1, expect.stringContaining('0 (paint)')));
      expect(response.body.message).toContain('77');
    });

    it.each([
      ['a string appid', { appid: 'x', type: 0, prompts: {} }, 'appid'],
      ['a missing appid', { type: 0, prompts: {} }, 'appid'],
      ['a negative type', { appid: 0, type: -1, prompts: {} }, 'type'],
      ['prompts that are not an object', { appid: 0, type: 0, prompts: 'draw' }, 'prompts'],
    ])('%s: 400, code 1, naming the field', async (_label, body, field) => {
      const response = await request(server).post('/generate').send(body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual(failure(1, expect.stringContaining(field)));
    });

    it('an unknown type of the paint app: 400, code 1, naming the type', async () => {
      const response = await request(server).post('/generate').send({ appid: 0, type: 98, prompts: { task: 't' } });
      expect(response.status).toBe(400);
      expect(response.body).toEqual(failure(1, expect.stringContaining('98')));
      expect(response.body.message).toMatch(/type/i);
    });
  });

  describe('CORS', () => {
    let cors: TestApp;

    beforeAll(async () => {
      cors = await createTestApp({ CORS_ORIGINS: 'http://localhost:3000' });
    });

    afterAll(async () => {
      await cors?.close();
    });

    const preflight = (origin: string) =>
      request(cors.app.getHttpServer())
        .options('/paint/save')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type');

    it('allows a configured origin', async () => {
      const response = await preflight('http://localhost:3000');
      expect(response.status).toBeLessThan(300);
      expect(response.headers['access-control-allow-origin']).toBe('http://localhost:3000');
      expect(response.headers['access-control-allow-methods']).toMatch(/POST/);
    });

    it('does not allow another origin', async () => {
      const response = await preflight('http://evil.example');
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('answers an actual request from the configured origin with the header', async () => {
      const response = await request(cors.app.getHttpServer()).get('/ping').set('Origin', 'http://localhost:3000');
      expect(response.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    });
  });
});

describe('unexpected errors (e2e)', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createAppWithExplodingRoute();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it.each([
    ['a synchronous throw', 'GET', '/test-only/boom'],
    ['a rejected promise', 'POST', '/test-only/boom-async'],
  ])('%s: 500, code 3, a request id and no internals', async (_label, method, path) => {
    const server = testApp.app.getHttpServer();
    const response = method === 'GET' ? await request(server).get(path) : await request(server).post(path).send({});
    expect(response.status).toBe(500);
    expect(response.body).toEqual(failure(3, expect.stringContaining('request id')));
    const message: string = response.body.message;
    expect(message).not.toContain(SECRET_DETAIL);
    expect(message).not.toMatch(/password|TypeError|Error:|\n\s*at |\.ts:\d+/);
  });

  it('names the caller-supplied X-Request-Id, so the log line can be found', async () => {
    const response = await request(testApp.app.getHttpServer()).get('/test-only/boom').set('X-Request-Id', 'req-42.abc');
    expect(response.status).toBe(500);
    expect(response.body.message).toBe('Internal server error (request id req-42.abc).');
    expect(response.headers['x-request-id']).toBe('req-42.abc');
  });

  it.each([
    ['none', undefined],
    ['an unacceptable one', 'req 42\tx'],
  ])('with %s given, names the id the response carries in X-Request-Id', async (_label, given) => {
    const call = request(testApp.app.getHttpServer()).post('/test-only/boom-async');
    const response = await (given === undefined ? call : call.set('X-Request-Id', given)).send({});
    expect(response.status).toBe(500);
    const id = response.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(response.body.message).toBe(`Internal server error (request id ${id}).`);
  });
});

describe('database down (e2e)', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp();
    await testApp.connection.close();
  });

  afterAll(async () => {
    await testApp?.app.close();
  });

  it('/paint/start: 503, code 3', async () => {
    const response = await request(testApp.app.getHttpServer()).post('/paint/start').send({ username: uniqueName('down') });
    expect(response.status).toBe(503);
    expect(response.body).toEqual(failure(3, expect.stringMatching(/database/i)));
  });

  it('/paint/save: 503, code 3', async () => {
    const response = await request(testApp.app.getHttpServer()).post('/paint/save').send(aSaveBody(uniqueName('down')));
    expect(response.status).toBe(503);
    expect(response.body).toEqual(failure(3, expect.stringMatching(/database/i)));
  });

  it('/health: 503 in the envelope, saying the database is down', async () => {
    const response = await request(testApp.app.getHttpServer()).get('/health');
    expect(response.status).toBe(503);
    expect(response.body).toEqual(failure(3, expect.stringMatching(/database/i)));
    expect(response.body.message).not.toContain('[object Object]');
  });
});
