/**
 * The service's safe defaults, over HTTP against the real application: which browser origins
 * may read it, the protective headers of every answer, the per-client rate limits, the
 * participant header's rules, the docs switch, and how stored experiment images are served.
 */
import { mongo } from 'mongoose';
import request from 'supertest';
import type { Response } from 'supertest';
import { uniqueName } from './support/builders';
import { binary } from './support/http';
import { sketchDataUrl, startSims, type Sims } from './support/simulators';
import { createTestApp, TestApp } from './support/test-app';

type Server = ReturnType<TestApp['app']['getHttpServer']>;

const KEY = 'research-key-for-the-security-tests';
const TASK = '设计一款运动辅助产品';
const FRONT_END = 'http://localhost:3000';
const ELSEWHERE = 'http://evil.example';

function expectFailure(response: Response, status: number, message: RegExp): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status,
    body: { success: false, data: null, code: 1, message: expect.stringMatching(message) },
  });
}

/** The bytes of a JPEG's header as image-size reads it: start, JFIF, a frame of `width`×`height`, end. */
function jpegBytes(width: number, height: number): Buffer {
  return Buffer.from([
    ...[0xff, 0xd8],
    ...[0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00],
    ...[0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01],
    ...[0xff, 0xd9],
  ]);
}

/** A 1×1 lossless WebP. */
const WEBP_BASE64 = 'UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==';

describe('security (e2e)', () => {
  describe('CORS with the default origins', () => {
    let testApp: TestApp;
    let server: Server;

    beforeAll(async () => {
      testApp = await createTestApp();
      server = testApp.app.getHttpServer();
    });

    afterAll(async () => {
      await testApp?.close();
    });

    const preflight = (origin: string) =>
      request(server)
        .options('/paint/save')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type,x-inspilot-user');

    it("allows the front end's development origins", async () => {
      for (const origin of [FRONT_END, 'http://127.0.0.1:3000']) {
        const response = await preflight(origin);
        expect(response.status).toBeLessThan(300);
        expect(response.headers['access-control-allow-origin']).toBe(origin);
      }
    });

    it('gives any other origin no Access-Control-Allow-Origin, on a preflight or a real request', async () => {
      for (const origin of [ELSEWHERE, 'http://localhost:3001', 'null']) {
        expect((await preflight(origin)).headers['access-control-allow-origin']).toBeUndefined();
        const start = await request(server).post('/paint/start').set('Origin', origin).send({ username: uniqueName('cors') });
        expect(start.headers['access-control-allow-origin']).toBeUndefined();
      }
    });

    it('lets an allowed origin read a refusal of the body too', async () => {
      const response = await request(server).post('/paint/start').set('Origin', FRONT_END).set('Content-Type', 'application/json').send('{"username":');
      expect(response.status).toBe(400);
      expect(response.headers['access-control-allow-origin']).toBe(FRONT_END);
      // Including the request's id, which a person reporting the failure can quote.
      expect(response.headers['x-request-id']).toEqual(expect.any(String));
      expect(response.headers['access-control-expose-headers']?.split(',').map((name: string) => name.trim())).toContain('X-Request-Id');
    });
  });

  describe('CORS_ORIGINS=*', () => {
    let testApp: TestApp;

    beforeAll(async () => {
      testApp = await createTestApp({ CORS_ORIGINS: '*' });
    });

    afterAll(async () => {
      await testApp?.close();
    });

    it('allows any origin, only because it was set explicitly', async () => {
      const response = await request(testApp.app.getHttpServer()).get('/ping').set('Origin', ELSEWHERE);
      expect([ELSEWHERE, '*']).toContain(response.headers['access-control-allow-origin']);
    });
  });

  describe('protective headers', () => {
    let testApp: TestApp;
    let server: Server;

    beforeAll(async () => {
      testApp = await createTestApp();
      server = testApp.app.getHttpServer();
    });

    afterAll(async () => {
      await testApp?.close();
    });

    it.each([
      ['a plain-text answer', () => request(server).get('/ping')],
      ['a JSON answer', () => request(server).get('/health')],
      ['an unknown route', () => request(server).get('/no-such-route')],
      ['a body that is not JSON', () => request(server).post('/paint/start').set('Content-Type', 'application/json').send('{')],
      ['a body over the limit', () => request(server).post('/paint/start').send({ username: 'x'.repeat(2 * 1024 * 1024) })],
    ])('%s carries them, and no X-Powered-By', async (_label, call) => {
      const response = await call();
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
      const csp: string = response.headers['content-security-policy'];
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toMatch(/object-src 'none'/);
      // Served over plain http in labs: upgrading would break the docs page.
      expect(csp).not.toMatch(/upgrade-insecure-requests/);
    });
  });

  describe('rate limits', () => {
    let testApp: TestApp;
    let server: Server;
    const WINDOW_MS = 60_000;

    beforeAll(async () => {
      testApp = await createTestApp({
        RATE_LIMIT_GENERATE: '2',
        RATE_LIMIT: '3',
        RATE_LIMIT_WINDOW_MS: String(WINDOW_MS),
        TRUST_PROXY: 'loopback',
      });
      server = testApp.app.getHttpServer();
    });

    afterAll(async () => {
      await testApp?.close();
    });

    /** A /generate call from `client` that is refused before anything runs (an unknown app). */
    const generate = (client: string) =>
      request(server).post('/generate').set('X-Forwarded-For', client).send({ appid: 99, type: 0, prompts: {} });

    function expectLimited(response: Response, setting: string): void {
      expectFailure(response, 429, new RegExp(`^Too many requests from this address: at most \\d+ per 60 s \\(${setting}\\); retry in \\d+ s\\.$`));
      const retryAfter = Number(response.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);
      expect(response.body.message).toContain(`retry in ${retryAfter} s`);
    }

    it('answers the request over RATE_LIMIT_GENERATE with 429 in the envelope and Retry-After, and counts each client apart', async () => {
      const client = '203.0.113.10';
      expect((await generate(client)).status).toBe(400);
      expect((await generate(client)).status).toBe(400);
      expectLimited(await generate(client), 'RATE_LIMIT_GENERATE');
      expectLimited(await generate(client), 'RATE_LIMIT_GENERATE');
      // Another client behind the trusted proxy has its own count.
      expect((await generate('203.0.113.11')).status).toBe(400);
    });

    it('counts the other routes together under RATE_LIMIT, apart from /generate', async () => {
      const client = '203.0.113.20';
      expect((await generate(client)).status).toBe(400);
      expect((await generate(client)).status).toBe(400);
      expect((await generate(client)).status).toBe(429);
      // /generate is used up; the other routes are not.
      const start = () => request(server).post('/paint/start').set('X-Forwarded-For', client).send({ username: uniqueName('limited') });
      expect((await start()).status).toBe(200);
      expect((await request(server).get('/sd/status').set('X-Forwarded-For', client)).status).not.toBe(429);
      expect((await start()).status).toBe(200);
      expectLimited(await start(), 'RATE_LIMIT');
      expectLimited(await request(server).get('/experiments').set('X-Forwarded-For', client), 'RATE_LIMIT');
    });

    it('never limits /ping and /health', async () => {
      const client = '203.0.113.30';
      for (let i = 0; i < 12; i++) {
        expect((await request(server).get('/ping').set('X-Forwarded-For', client)).status).toBe(200);
        expect((await request(server).post('/ping').set('X-Forwarded-For', client)).status).toBe(200);
      }
      for (let i = 0; i < 6; i++) expect((await request(server).get('/health').set('X-Forwarded-For', client)).status).toBe(200);
    });

    it('believes X-Forwarded-For only from TRUST_PROXY: a client cannot dodge the limit by sending one', async () => {
      const direct = await createTestApp({ RATE_LIMIT_GENERATE: '1' });
      try {
        const send = (client: string) =>
          request(direct.app.getHttpServer()).post('/generate').set('X-Forwarded-For', client).send({ appid: 99, type: 0, prompts: {} });
        expect((await send('198.51.100.1')).status).toBe(400);
        expect((await send('198.51.100.2')).status).toBe(429);
      } finally {
        await direct.close();
      }
    });
  });

  describe('the participant header and username', () => {
    let testApp: TestApp;
    let server: Server;

    beforeAll(async () => {
      testApp = await createTestApp();
      server = testApp.app.getHttpServer();
    });

    afterAll(async () => {
      await testApp?.close();
    });

    const generate = (header: string | undefined, body: Record<string, unknown> = {}) => {
      const call = request(server).post('/generate');
      if (header !== undefined) call.set('X-InsPilot-User', header);
      return call.send({ appid: 99, type: 0, prompts: {}, ...body });
    };

    it('refuses an X-InsPilot-User over 128 characters or blank with 400 naming the header', async () => {
      expectFailure(await generate('x'.repeat(129)), 400, /X-InsPilot-User header must be at most 128 characters \(got 129\)/);
      expectFailure(await generate(''), 400, /X-InsPilot-User header must not be blank/);
      expectFailure(await generate('   '), 400, /X-InsPilot-User header must not be blank/);
    });

    it('accepts 128 characters (the request then fails on what else is wrong with it)', async () => {
      expectFailure(await generate('x'.repeat(128)), 400, /Unknown appid 99/);
    });

    it('holds the body username to the same rules', async () => {
      expectFailure(await generate(undefined, { username: ' ' }), 400, /username must not be blank/);
      expectFailure(await generate(undefined, { username: 'x'.repeat(129) }), 400, /username/);
    });
  });

  describe('DOCS_ENABLED=false', () => {
    let testApp: TestApp;

    beforeAll(async () => {
      testApp = await createTestApp({ DOCS_ENABLED: 'false' });
    });

    afterAll(async () => {
      await testApp?.close();
    });

    it.each(['/docs', '/docs/', '/docs-json', '/docs-yaml', '/docs/swagger-ui-init.js'])('%s answers 404 in the envelope', async (path) => {
      expectFailure(await request(testApp.app.getHttpServer()).get(path), 404, /^No route GET/);
    });
  });

  describe('stored experiment images', () => {
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

    const get = (path: string) => request(server).get(path).set('X-API-Key', KEY).buffer(true).parse(binary);

    /** Runs a type-1 generation with `designImage` and returns its record id. */
    async function generateWith(designImage: string): Promise<string> {
      const username = uniqueName('images');
      const generated = await request(server)
        .post('/generate')
        .send({ appid: 0, type: 1, username, prompts: { designTask: TASK, designTexts: ['可折叠'], designImage, schemeId: 1 } });
      expect(generated.body).toMatchObject({ success: true });
      const page = await request(server).get(`/experiments?username=${username}`).set('X-API-Key', KEY);
      expect(page.body.data.items).toHaveLength(1);
      return page.body.data.items[0]._id as string;
    }

    function expectLockedDown(response: Response): void {
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    }

    it.each([
      ['a PNG', sketchDataUrl(40), 'image/png'],
      ['a WebP declared as PNG', `data:image/png;base64,${WEBP_BASE64}`, 'image/webp'],
      ['a JPEG declared as WebP', `data:image/webp;base64,${jpegBytes(6, 4).toString('base64')}`, 'image/jpeg'],
    ])('serves %s sketch as the type its bytes prove, with nosniff and a sandboxing CSP', async (_label, dataUrl, type) => {
      const id = await generateWith(dataUrl);
      const response = await get(`/experiments/${id}/images/${id}-input-0`);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe(type);
      expectLockedDown(response);
      expect((response.body as Buffer).equals(Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'))).toBe(true);

      const generated = await get(`/experiments/${id}/images/${id}-images-0`);
      expect(generated.headers['content-type']).toBe('image/png');
      expectLockedDown(generated);
    });

    it('serves a stored file that is no image (an SVG an older version kept) as an opaque download, never as SVG', async () => {
      const id = await generateWith(sketchDataUrl(80));
      const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>';
      const imageId = `${id}-input-7`;
      const bucket = new mongo.GridFSBucket(testApp.connection.db!, { bucketName: 'experiment_images' });
      await new Promise<void>((resolve, reject) => {
        const upload = bucket.openUploadStreamWithId(imageId as never, imageId, {
          metadata: { owner: id, contentType: 'image/svg+xml', lastUsedAt: new Date() },
        });
        upload.once('error', reject).once('finish', () => resolve());
        upload.end(Buffer.from(svg));
      });

      const response = await get(`/experiments/${id}/images/${imageId}`);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/octet-stream');
      expect(response.headers['content-disposition']).toMatch(/^attachment/);
      expectLockedDown(response);
      expect((response.body as Buffer).toString()).toBe(svg);
    });
  });
});
