/**
 * The logs of the real process (src/main.ts), read from its stdout: JSON lines in production and
 * readable lines in development, one request id per request (the caller's when acceptable) in
 * the response and in every line logged for the request, and no credentials, bodies or images.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { baseEnv, startApiProcess, stopApiProcess, type ApiProcess } from './support/api-process';
import { aRandomDataUrl } from './support/builders';
import { eventually, startSims, type Sims } from './support/simulators';
import { isolatedDatabaseUri } from './support/test-app';
import type { GenerationSummary } from '../src/metrics/generation.metrics';

const KEY = 'research-key-for-the-logging-tests';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TASK = '设计一款运动辅助产品';
const ENDED = ['succeeded', 'partly-succeeded', 'failed', 'cancelled', 'interrupted'];

interface LogLine {
  level: string;
  time: string;
  msg: string;
  reqId?: string;
  context?: string;
  req?: { method: string; path: string; remoteAddress?: string; userAgent?: string; contentLength?: number };
  res?: { statusCode: number; size?: number };
  responseTime?: number;
  username?: string;
  generation?: GenerationSummary;
}

const unique = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

/** Every complete stdout line, each parsed as JSON; throws naming the first line that is not. */
function jsonLines(api: ApiProcess): LogLine[] {
  const text = api.stdout();
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`a stdout line is not JSON: ${line}`);
      }
    });
}

const accessLine = (line: LogLine) => line.req !== undefined && line.res !== undefined;

/** The request's lines once its access line (written when its answer ended) is there. */
async function linesOf(api: ApiProcess, id: string): Promise<LogLine[]> {
  await eventually(() => jsonLines(api).some((line) => line.reqId === id && accessLine(line)), 100, 50);
  return jsonLines(api).filter((line) => line.reqId === id);
}

async function call(api: ApiProcess, method: string, path: string, options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...options.headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, id: response.headers.get('x-request-id'), headers: response.headers, text, json: () => JSON.parse(text) };
}

/** Sends `head` as is (the bytes a client that meant harm would send) and answers the response's head. */
function rawRequest(api: ApiProcess, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(api.port, '127.0.0.1', () => socket.write(head));
    let received = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (received += chunk));
    socket.on('end', () => resolve(received.split('\r\n\r\n')[0]));
    socket.on('error', reject);
  });
}

describe('logs (e2e: src/main.ts in production and in development, simulators)', () => {
  let sims: Sims;
  let prod: ApiProcess;
  let dev: ApiProcess;

  beforeAll(async () => {
    sims = await startSims({ sdCount: 1 });
    const env = { ...baseEnv(), ...sims.env, RESEARCH_API_KEY: KEY, BODY_LIMIT: '4kb' };
    [prod, dev] = await Promise.all([
      startApiProcess({ ...env, NODE_ENV: 'production', MONGODB_URI: isolatedDatabaseUri() }),
      startApiProcess({ ...env, NODE_ENV: 'development', LOG_LEVEL: 'debug', MONGODB_URI: isolatedDatabaseUri() }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([prod, dev].filter(Boolean).map((api) => stopApiProcess(api)));
    await sims?.closeAll();
  });

  afterEach(async () => {
    await sims.resetAll();
  });

  it("answers a valid X-Request-Id with itself, and every line of the request carries it", async () => {
    const id = unique('req.log_test');
    const username = unique('log-user');
    const response = await call(prod, 'POST', '/generate', {
      body: { appid: 0, type: 0, prompts: { task: TASK, num: 1 }, username },
      headers: { 'X-Request-Id': id },
    });
    expect(response.status).toBe(200);
    expect(response.id).toBe(id);

    const lines = await linesOf(prod, id);
    expect(lines.find(accessLine)).toMatchObject({
      level: 'info',
      req: { method: 'POST', path: '/generate', remoteAddress: expect.stringContaining('127.0.0.1') },
      res: { statusCode: 200, size: expect.any(Number) },
      responseTime: expect.any(Number),
    });
    expect(lines.filter((line) => line.context === 'Generation')).toHaveLength(1);
    // Whatever was logged about this participant was logged for this request.
    const naming = jsonLines(prod).filter((line) => JSON.stringify(line).includes(username));
    expect(naming.length).toBeGreaterThan(0);
    expect(naming.map((line) => line.reqId)).toEqual(naming.map(() => id));
  });

  it.each([
    ['too long', 'a'.repeat(65)],
    ['with spaces', 'my request 1'],
    ['a header injection attempt, encoded', 'abc%0d%0aSet-Cookie:%20session=stolen'],
    ['two ids in one', 'abc,def'],
  ])('replaces an X-Request-Id %s with a fresh UUID', async (_label, given) => {
    const response = await call(prod, 'GET', '/apps', { headers: { 'X-Request-Id': given } });
    expect(response.status).toBe(200);
    expect(response.id).toMatch(UUID);
    expect(response.headers.get('set-cookie')).toBeNull();
    const lines = await linesOf(prod, response.id!);
    expect(lines.find(accessLine)).toMatchObject({ level: 'info', req: { method: 'GET', path: '/apps' }, res: { statusCode: 200 } });
    expect(prod.stdout()).not.toContain(given);
  });

  it('a raw CR or LF inside X-Request-Id never reaches a response header; a tab is replaced like any bad id', async () => {
    const folded = await rawRequest(prod, 'GET /apps HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc\r\n Set-Cookie: session=stolen\r\nConnection: close\r\n\r\n');
    const bareCr = await rawRequest(prod, 'GET /apps HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc\rSet-Cookie: session=stolen\r\nConnection: close\r\n\r\n');
    const tab = await rawRequest(prod, 'GET /apps HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc\tSet-Cookie: session=stolen\r\nConnection: close\r\n\r\n');
    for (const head of [folded, bareCr, tab]) {
      expect(head).toMatch(/^HTTP\/1\.1 [24]\d\d /);
      expect(head.toLowerCase()).not.toContain('set-cookie');
      expect(head).not.toContain('stolen');
      const echoed = /^x-request-id: (.*)$/im.exec(head)?.[1];
      // Node refuses the first two before the app sees them; had it not, the app would answer an acceptable id.
      if (echoed !== undefined) expect(echoed).toMatch(/^[\w.-]{1,64}$/);
    }
    // The tab reaches the app, which answers a fresh id.
    expect(tab).toMatch(/^HTTP\/1\.1 200 /);
    expect(/^x-request-id: (.*)$/im.exec(tab)?.[1]).toMatch(UUID);
    expect(prod.stdout()).not.toContain('stolen');
  });

  it('a request refused by a pipeline (4xx): its warn lines name the id it was answered with', async () => {
    const response = await call(prod, 'POST', '/generate', { body: { appid: 0, type: 99, prompts: {} } });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.id).toMatch(UUID);
    const lines = await linesOf(prod, response.id!);
    expect(lines.find(accessLine)).toMatchObject({ level: 'warn', req: { path: '/generate' }, res: { statusCode: response.status } });
    expect(lines.some((line) => line.level === 'warn' && line.msg.includes('Refused app 0 type 99'))).toBe(true);
  });

  it('a failing request (5xx, the model provider refusing): its error lines name the id it was answered with', async () => {
    await sims.gpt.configure({ failNext: [401] });
    const username = unique('log-fail');
    const response = await call(prod, 'POST', '/generate', { body: { appid: 0, type: 0, prompts: { task: TASK, num: 1 }, username } });
    expect(response.status).toBe(502);
    expect(response.json()).toMatchObject({ success: false, code: 2 });
    const lines = await linesOf(prod, response.id!);
    expect(lines.find(accessLine)).toMatchObject({ level: 'error', req: { path: '/generate' }, res: { statusCode: 502 } });
    expect(lines.find((line) => line.context === 'Generation')).toMatchObject({ level: 'warn', username, generation: { status: 'failed' } });
    expect(lines.some((line) => line.context === 'AllExceptionsFilter' && line.level === 'warn')).toBe(true);
  });

  it('POST /jobs: exactly one summary line for the run, written after the answer, carrying the request id', async () => {
    // Slow enough that the run surely outlives POST /jobs's answer.
    await sims.gpt.configure({ latencyMs: 300 });
    const id = unique('job');
    const summariesBefore = jsonLines(prod).filter((line) => line.generation !== undefined).length;
    const created = await call(prod, 'POST', '/jobs', { body: { appid: 0, type: 0, prompts: { task: TASK, num: 2 } }, headers: { 'X-Request-Id': id } });
    expect(created.status).toBe(202);
    expect(created.id).toBe(id);
    const { jobId } = created.json().data as { jobId: string };
    let job: { status: string } = { status: 'queued' };
    await eventually(async () => {
      job = (await call(prod, 'GET', `/jobs/${jobId}`)).json().data;
      return ENDED.includes(job.status);
    }, 200, 50);
    expect(job.status).toBe('succeeded');

    await eventually(() => jsonLines(prod).some((line) => line.reqId === id && line.context === 'Generation'));
    const lines = jsonLines(prod);
    const summaries = lines.filter((line) => line.generation !== undefined && line.reqId === id);
    expect(summaries).toHaveLength(1);
    const [summary] = summaries;
    expect(summary).toMatchObject({
      level: 'info',
      context: 'Generation',
      msg: expect.stringContaining('succeeded'),
      generation: { app: 'paint', appId: 0, type: 0, pipeline: 'rapid-divergence', status: 'succeeded', imagesMade: 2, imagesFailed: 0 },
    });
    const { durationMs, tokens } = summary.generation!;
    expect(durationMs).toBeGreaterThanOrEqual(300);
    expect(tokens.total).toBeGreaterThan(0);
    expect(tokens.total).toBe(tokens.prompt + tokens.completion);
    // The POST's own access line came first: the run kept the request's id after its answer.
    const answered = lines.findIndex((line) => line.reqId === id && accessLine(line));
    expect(answered).toBeGreaterThanOrEqual(0);
    expect(lines.indexOf(summary)).toBeGreaterThan(answered);
    // The run wrote one summary in all, the one above.
    expect(lines.filter((line) => line.generation !== undefined)).toHaveLength(summariesBefore + 1);
  });

  it('never logs credentials, bodies or images, answered or refused', async () => {
    const token = unique('bearer-token');
    const session = unique('session-cookie');
    const marker = unique('body-marker');
    const sketch = aRandomDataUrl(3000);
    const headers = { 'X-API-Key': KEY, Authorization: `Bearer ${token}`, Cookie: `session=${session}` };
    const scheme = { designTask: TASK, designTexts: [marker], designImage: sketch, schemeId: 3 };

    const made = await call(prod, 'POST', '/generate', { body: { appid: 0, type: 1, prompts: scheme }, headers });
    expect(made.status).toBe(200);
    const refused = await call(prod, 'POST', '/generate', { body: { appid: 0, type: 1, prompts: { ...scheme, designTask: 42 } }, headers });
    expect(refused.status).toBe(400);
    const research = await call(prod, 'GET', '/experiments?limit=5', { headers });
    expect(research.status).toBe(200);
    for (const response of [made, refused, research]) await linesOf(prod, response.id!);

    const everything = prod.stdout() + prod.stderr();
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(session);
    expect(everything).not.toContain(marker);
    // Pieces of the sketch sent and of an image answered (random bytes: no accidental match).
    const base64 = sketch.slice(sketch.indexOf(',') + 1);
    const answeredImage = /"image":"(?:data:[^,]*,)?([A-Za-z0-9+/]{200,})/.exec(made.text)?.[1];
    expect(answeredImage).toBeDefined();
    for (const piece of [base64.slice(200, 240), base64.slice(-240, -200), answeredImage!.slice(100, 140)]) expect(everything).not.toContain(piece);
    // The lines that were written name the requests by path only.
    const researchLine = jsonLines(prod).find((line) => line.reqId === research.id && accessLine(line));
    expect(researchLine?.req).toEqual({ method: 'GET', path: '/experiments', remoteAddress: expect.any(String), userAgent: expect.any(String) });
  });

  it.each([
    ['over BODY_LIMIT (413)', { raw: JSON.stringify({ username: 'x'.repeat(8000) }) }, 413],
    ['malformed JSON (400)', { raw: '{"username":' }, 400],
  ])('a body refused before routing, %s, still has an id and a line', async (_label, options, status) => {
    const response = await call(prod, 'POST', '/paint/start', options);
    expect(response.status).toBe(status);
    expect(response.id).toMatch(UUID);
    const lines = await linesOf(prod, response.id!);
    expect(lines.find(accessLine)).toMatchObject({ level: 'warn', req: { method: 'POST', path: '/paint/start' }, res: { statusCode: status } });
    // The caller's own id is kept there too.
    const named = await call(prod, 'POST', '/paint/start', { ...options, headers: { 'X-Request-Id': unique('refused') } });
    expect(named.id).toMatch(/^refused-/);
    expect((await linesOf(prod, named.id!)).find(accessLine)?.res?.statusCode).toBe(status);
  });

  it("logs monitors' calls at debug: absent at the default level, present when LOG_LEVEL allows", async () => {
    const pings = [unique('ping'), unique('health')];
    expect((await call(prod, 'GET', '/ping', { headers: { 'X-Request-Id': pings[0] } })).status).toBe(200);
    expect((await call(prod, 'GET', '/health', { headers: { 'X-Request-Id': pings[1] } })).status).toBe(200);
    // Lines are written in the order answers end: once a later request's line is there, theirs would be.
    const after = await call(prod, 'GET', '/apps');
    await linesOf(prod, after.id!);
    expect(jsonLines(prod).filter((line) => pings.includes(line.reqId ?? ''))).toEqual([]);

    const devPing = unique('dev-ping');
    expect((await call(dev, 'GET', '/ping', { headers: { 'X-Request-Id': devPing } })).status).toBe(200);
    await eventually(() => dev.stdout().includes(devPing));
    expect(dev.stdout().split('\n').find((line) => line.includes(devPing))).toMatch(/DEBUG.*GET \/ping 200 in \d+ ms/);
  });

  it('development writes readable lines, not JSON', async () => {
    const lines = dev.stdout().split('\n').filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.find((line) => line.includes('InsPilot API on'))).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[Bootstrap\] InsPilot API on http/);
    const parsesAsJson = (line: string) => {
      try {
        JSON.parse(line);
        return true;
      } catch {
        return false;
      }
    };
    expect(lines.filter(parsesAsJson)).toEqual([]);
  });

  it('production writes nothing but JSON lines to stdout, and nothing to stderr', async () => {
    const lines = jsonLines(prod);
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) expect(line).toMatchObject({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) });
    expect(lines.some((line) => line.context === 'Bootstrap' && line.msg.includes('InsPilot API on'))).toBe(true);
    expect(prod.stderr()).toBe('');
  });
});
