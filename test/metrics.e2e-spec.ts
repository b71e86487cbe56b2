/**
 * GET /metrics: the Prometheus series move with the work they count — generations, GPT calls and
 * tokens, image tries per instance, HTTP requests by route pattern, record failures, rate-limit
 * refusals — for successes and for the faults a study meets; the route is open, behind a bearer
 * token, or absent, by configuration; and the README lists exactly the series served.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { loadServiceEnvironment } from '../src/app.environment';
import { ConfigurationError } from '../src/config/environment';
import { uniqueName } from './support/builders';
import { matching, parseExposition, scrape, sum, type Scrape } from './support/prometheus';
import { eventually, startSims, type Sims } from './support/simulators';
import { createTestApp, TestApp } from './support/test-app';

const TASK = '设计一款运动辅助产品';
const TOKEN = 'metrics-token-for-the-tests-0123';
const KEY = 'research-key-for-the-metrics-tests';

type Server = ReturnType<TestApp['app']['getHttpServer']>;

/** The series counted between two scrapes. */
function delta(before: Scrape, after: Scrape, name: string, labels: Record<string, string> = {}): number {
  return sum(after, name, labels) - sum(before, name, labels);
}

describe('GET /metrics (e2e, simulators)', () => {
  let sims: Sims;

  beforeAll(async () => {
    sims = await startSims({ sdCount: 2, gpt: { latencyMs: 10 }, sd: { latencyMs: 20 } });
  });

  afterAll(async () => {
    await sims?.closeAll();
  });

  describe('open (no METRICS_TOKEN)', () => {
    let testApp: TestApp;
    let server: Server;

    beforeAll(async () => {
      testApp = await createTestApp({
        ...sims.env,
        RESEARCH_API_KEY: KEY,
        GPT_MAX_ATTEMPTS: '2',
        GPT_TIMEOUT_MS: '500',
        SD_MAX_ATTEMPTS: '2',
        SD_RECOVERY_WAIT_MS: '300',
      });
      server = testApp.app.getHttpServer();
    });

    afterAll(async () => {
      await testApp?.close();
    });

    beforeEach(async () => {
      await sims.resetAll();
    });

    it('serves the process metrics and every series the README lists, and nothing it does not list', async () => {
      const metrics = await scrape(server);
      for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
        expect(metrics.types.has(name)).toBe(true);
      }
      const served = [...metrics.types.keys()].filter((name) => name.startsWith('inspilot_')).sort();
      const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
      const documented = [...new Set([...readme.matchAll(/`(inspilot_\w+)`/g)].map((match) => match[1]))].sort();
      expect(served.length).toBeGreaterThanOrEqual(15);
      expect(documented).toEqual(served);
    });

    it('has a Grafana dashboard in docs/ that reads only series the service serves, the pool, generations and records among them', async () => {
      const metrics = await scrape(server);
      const dashboard = JSON.parse(readFileSync(join(__dirname, '..', 'docs', 'grafana-dashboard.json'), 'utf8')) as {
        panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }>;
      };
      const exprs = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
      expect(exprs.length).toBeGreaterThanOrEqual(15);
      // Histograms are read through their _bucket and _count series.
      const read = new Set(exprs.flatMap((expr) => [...expr.matchAll(/\b((?:inspilot|process|nodejs)_\w+)/g)].map((match) => match[1].replace(/_(bucket|count|sum)$/, ''))));
      for (const name of read) expect({ name, served: metrics.types.has(name) }).toEqual({ name, served: true });
      for (const name of ['inspilot_sd_queue_depth', 'inspilot_sd_instance_healthy', 'inspilot_sd_image_duration_seconds', 'inspilot_generations_total', 'inspilot_generation_duration_seconds', 'inspilot_record_writes_pending', 'inspilot_record_write_failures_total']) {
        expect(read.has(name)).toBe(true);
      }
      // Prometheus's own `instance` label names the node: the WebUI instance is never grouped by it.
      expect(exprs.filter((expr) => /inspilot_sd_/.test(expr) && /by \([^)]*\binstance\b/.test(expr))).toEqual([]);
    });

    it('counts a generation that succeeds: its status, duration, GPT calls and tokens, images per instance, and the request by route', async () => {
      const before = await scrape(server);
      const username = uniqueName('metrics');
      const response = await request(server).post('/generate').send({ appid: 0, type: 0, username, prompts: { task: TASK, num: 3 } });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ success: true, data: { count: 3 } });
      const after = await scrape(server);

      const succeeded = { app: 'paint', type: '0', status: 'succeeded' };
      expect(delta(before, after, 'inspilot_generations_total', succeeded)).toBe(1);
      expect(delta(before, after, 'inspilot_generation_duration_seconds_count', succeeded)).toBe(1);
      expect(delta(before, after, 'inspilot_generation_duration_seconds_sum', succeeded)).toBeGreaterThan(0);
      expect(delta(before, after, 'inspilot_generation_images_total', { app: 'paint', type: '0', outcome: 'made' })).toBe(3);
      expect(sum(after, 'inspilot_generations_running')).toBe(0);
      // Type 0 asks GPT four times (products, scenes, sdPrompts, abstracts), each on its first try.
      expect(delta(before, after, 'inspilot_gpt_calls_total', { kind: 'chat', outcome: 'ok' })).toBe(4);
      expect(delta(before, after, 'inspilot_gpt_call_duration_seconds_count')).toBe(4);
      // One image per creative, each tried once on one of the two instances.
      expect(delta(before, after, 'inspilot_sd_image_duration_seconds_count', { outcome: 'ok' })).toBe(3);
      const instances = matching(after, 'inspilot_sd_image_duration_seconds_count', { outcome: 'ok' }).map((sample) => sample.labels.sd_instance);
      expect(instances.every((name) => /^sd-[12]$/.test(name))).toBe(true);
      expect(delta(before, after, 'inspilot_http_request_duration_seconds_count', { method: 'POST', route: '/generate', status: '200' })).toBe(1);

      // The tokens counted are the tokens the record keeps for its steps.
      const record = await eventually(async () => (await testApp.connection.collection('experiments').findOne({ username, status: 'succeeded' })) !== null);
      expect(record).toBe(true);
      const stored = await testApp.connection.collection('experiments').findOne({ username });
      const steps = Object.values(stored!.steps as Record<string, { tokens?: { prompt: number; completion: number } }>);
      const prompt = steps.reduce((total, step) => total + (step.tokens?.prompt ?? 0), 0);
      const completion = steps.reduce((total, step) => total + (step.tokens?.completion ?? 0), 0);
      expect(prompt).toBeGreaterThan(0);
      expect(delta(before, after, 'inspilot_gpt_tokens_total', { kind: 'chat', part: 'prompt' })).toBe(prompt);
      expect(delta(before, after, 'inspilot_gpt_tokens_total', { kind: 'chat', part: 'completion' })).toBe(completion);
    });

    it('counts a generation that fails, the GPT call given up, and the 502 by route', async () => {
      await sims.gpt.configure({ errorRate: 1, errorStatus: 500 });
      const before = await scrape(server);
      const response = await request(server).post('/generate').send({ appid: 0, type: 0, prompts: { task: TASK, num: 2 } });
      expect(response.status).toBe(502);
      const after = await scrape(server);
      expect(delta(before, after, 'inspilot_generations_total', { app: 'paint', type: '0', status: 'failed' })).toBe(1);
      expect(delta(before, after, 'inspilot_generations_total', { status: 'succeeded' })).toBe(0);
      expect(delta(before, after, 'inspilot_gpt_calls_total', { outcome: 'failed' })).toBe(1);
      expect(delta(before, after, 'inspilot_gpt_calls_total', { outcome: 'ok' })).toBe(0);
      expect(delta(before, after, 'inspilot_http_request_duration_seconds_count', { route: '/generate', status: '502' })).toBe(1);
      expect(sum(after, 'inspilot_generations_running')).toBe(0);
    });

    it('tells a call answered after a retry from one answered at once, and one that timed out', async () => {
      await sims.gpt.configure({ failNext: [429] });
      let before = await scrape(server);
      expect((await request(server).post('/generate').send({ appid: 0, type: 0, prompts: { task: TASK, num: 1 } })).status).toBe(200);
      let after = await scrape(server);
      expect(delta(before, after, 'inspilot_gpt_calls_total', { outcome: 'retried' })).toBe(1);
      expect(delta(before, after, 'inspilot_gpt_calls_total', { outcome: 'ok' })).toBe(3);

      await sims.gpt.configure({ hang: true });
      before = await scrape(server);
      expect((await request(server).post('/generate').send({ appid: 0, type: 0, prompts: { task: TASK, num: 1 } })).status).toBe(504);
      after = await scrape(server);
      expect(delta(before, after, 'inspilot_gpt_calls_total', { outcome: 'timed_out' })).toBe(1);
      expect(delta(before, after, 'inspilot_generations_total', { status: 'failed' })).toBe(1);
    });

    it('counts an image try that failed against its instance, shows the instance set aside, then back', async () => {
      const down = sims.sds[0];
      await down.refuse();
      const before = await scrape(server);
      const response = await request(server).post('/generate').send({ appid: 0, type: 0, prompts: { task: TASK, num: 2 } });
      expect(response.status).toBe(200);
      const after = await scrape(server);
      // The refused tries count against sd-1 as failed; their images were made on sd-2.
      expect(delta(before, after, 'inspilot_sd_image_duration_seconds_count', { sd_instance: 'sd-1', outcome: 'failed' })).toBeGreaterThanOrEqual(1);
      expect(delta(before, after, 'inspilot_sd_image_duration_seconds_count', { sd_instance: 'sd-2', outcome: 'ok' })).toBe(2);
      expect(sum(after, 'inspilot_sd_instance_healthy', { sd_instance: 'sd-1' })).toBe(0);
      expect(sum(after, 'inspilot_sd_instance_healthy', { sd_instance: 'sd-2' })).toBe(1);
      expect(sum(after, 'inspilot_sd_instance_state', { sd_instance: 'sd-1', state: 'failing' })).toBe(1);
      // Exactly one state per instance.
      expect(sum(after, 'inspilot_sd_instance_state', { sd_instance: 'sd-1' })).toBe(1);

      await sims.resetAll();
      const back = await eventually(async () => sum(await scrape(server), 'inspilot_sd_instance_healthy', { sd_instance: 'sd-1' }) === 1, 100);
      expect(back).toBe(true);
    });

    it('counts a generation whose client left as cancelled, with its GPT call', async () => {
      await sims.gpt.configure({ latencyMs: 1500 });
      const before = await scrape(server);
      // The client gives up long before the first GPT answer.
      await expect(
        request(server).post('/generate').send({ appid: 0, type: 0, prompts: { task: TASK, num: 1 } }).timeout(300),
      ).rejects.toThrow(/timeout/i);
      const cancelled = await eventually(async () => delta(before, await scrape(server), 'inspilot_generations_total', { status: 'cancelled' }) === 1);
      expect(cancelled).toBe(true);
      const after = await scrape(server);
      expect(delta(before, after, 'inspilot_gpt_calls_total', { outcome: 'cancelled' })).toBe(1);
      expect(sum(after, 'inspilot_generations_running')).toBe(0);
      // The request is measured too, as the client closing before its answer.
      expect(delta(before, after, 'inspilot_http_request_duration_seconds_count', { route: '/generate', status: '499' })).toBe(1);
    });

    it('labels requests by route pattern, never by their raw URL, ids or query', async () => {
      const id = '6746e0c2a1b2c3d4e5f60718';
      expect((await request(server).get(`/jobs/${id}`)).status).toBe(404);
      expect((await request(server).get(`/experiments/${id}?secret=abc123`).set('X-API-Key', KEY)).status).toBe(404);
      expect((await request(server).get('/no/such/route/42')).status).toBe(404);
      const metrics = await scrape(server);
      expect(sum(metrics, 'inspilot_http_request_duration_seconds_count', { route: '/jobs/:id', status: '404' })).toBeGreaterThanOrEqual(1);
      expect(sum(metrics, 'inspilot_http_request_duration_seconds_count', { route: '/experiments/:id', status: '404' })).toBeGreaterThanOrEqual(1);
      expect(sum(metrics, 'inspilot_http_request_duration_seconds_count', { route: '(unmatched)', status: '404' })).toBeGreaterThanOrEqual(1);
      expect(metrics.text).not.toContain(id);
      expect(metrics.text).not.toContain('abc123');
      expect(metrics.text).not.toContain('/no/such/route');
      const routes = matching(metrics, 'inspilot_http_request_duration_seconds_count').map((sample) => sample.labels.route);
      expect(routes.every((route) => route === '(unmatched)' || route.startsWith('/'))).toBe(true);
    });

    it('counts bodies refused before any route as unmatched, with their status', async () => {
      const before = await scrape(server);
      const malformed = await request(server).post('/generate').set('Content-Type', 'application/json').send('{"appid": 0,');
      expect(malformed.status).toBe(400);
      const after = await scrape(server);
      expect(delta(before, after, 'inspilot_http_request_duration_seconds_count', { method: 'POST', status: '400' })).toBe(1);
    });

    it('is not rate limited and not in the envelope', async () => {
      const responses = await Promise.all(Array.from({ length: 5 }, () => request(server).get('/metrics')));
      expect(responses.every((response) => response.status === 200)).toBe(true);
      expect(responses[0].text.startsWith('# HELP')).toBe(true);
    });
  });

  describe('failures elsewhere', () => {
    it('counts record writes lost for good, and shows no backlog once the records are written', async () => {
      const testApp = await createTestApp({ ...sims.env });
      try {
        const server = testApp.app.getHttpServer();
        // A real refusal by the database: a unique index every new paint record collides with.
        const experiments = testApp.connection.collection('experiments');
        await experiments.createIndex({ appName: 1 }, { unique: true, name: 'block_paint_records' });
        await experiments.insertOne({ appName: 'paint', note: 'blocks every other paint record' });
        const before = await scrape(server);
        expect((await request(server).post('/generate').send({ appid: 0, type: 0, prompts: { task: TASK, num: 1 } })).status).toBe(200);
        const counted = await eventually(async () => delta(before, await scrape(server), 'inspilot_record_write_failures_total') >= 1);
        expect(counted).toBe(true);
        const settled = await eventually(async () => {
          const metrics = await scrape(server);
          return sum(metrics, 'inspilot_record_writes_pending') === 0 && sum(metrics, 'inspilot_records_unwritten') === 0;
        });
        expect(settled).toBe(true);
      } finally {
        await testApp.close();
      }
    });

    it('counts rate-limit refusals by group', async () => {
      const testApp = await createTestApp({ ...sims.env, RATE_LIMIT_GENERATE: '1', RATE_LIMIT: '1000' });
      try {
        const server = testApp.app.getHttpServer();
        const body = { appid: 0, type: 0, prompts: { task: TASK, num: 0 } };
        const statuses = [];
        for (let i = 0; i < 3; i++) statuses.push((await request(server).post('/generate').send(body)).status);
        expect(statuses.filter((status) => status === 429)).toHaveLength(2);
        const metrics = await scrape(server);
        expect(sum(metrics, 'inspilot_rate_limit_refusals_total', { group: 'generate' })).toBe(2);
        expect(sum(metrics, 'inspilot_rate_limit_refusals_total', { group: 'default' })).toBe(0);
        expect(sum(metrics, 'inspilot_http_request_duration_seconds_count', { route: '/generate', status: '429' })).toBe(2);
      } finally {
        await testApp.close();
      }
    });
  });

  describe('access', () => {
    it('behind METRICS_TOKEN: refuses a missing or wrong bearer token in the envelope, answers the right one', async () => {
      const testApp = await createTestApp({ ...sims.env, METRICS_TOKEN: TOKEN });
      try {
        const server = testApp.app.getHttpServer();
        for (const header of [undefined, 'Bearer wrong-token-wrong-token', `Basic ${TOKEN}`, TOKEN, `Bearer ${TOKEN}x`]) {
          const call = request(server).get('/metrics');
          if (header) call.set('Authorization', header);
          const response = await call;
          expect(response.status).toBe(401);
          expect(response.body).toMatchObject({ success: false, data: null, code: 1 });
          expect(response.body.message).toContain('Authorization: Bearer <METRICS_TOKEN>');
          expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
        }
        const metrics = await scrape(server, TOKEN);
        expect(metrics.types.get('inspilot_generations_total')).toBe('counter');
        // The scheme is case-insensitive, as HTTP says.
        expect((await request(server).get('/metrics').set('Authorization', `bearer ${TOKEN}`)).status).toBe(200);
      } finally {
        await testApp.close();
      }
    });

    it('with METRICS_ENABLED=false there is no route, and the rest still works', async () => {
      const testApp = await createTestApp({ ...sims.env, METRICS_ENABLED: 'false' });
      try {
        const server = testApp.app.getHttpServer();
        const response = await request(server).get('/metrics');
        expect(response.status).toBe(404);
        expect(response.body).toMatchObject({ success: false, code: 1, message: expect.stringContaining('No route GET /metrics') });
        expect((await request(server).get('/ping')).text).toBe('pong');
      } finally {
        await testApp.close();
      }
    });

    it('refuses to start with a bad METRICS_TOKEN or METRICS_ENABLED, naming the variable', () => {
      for (const [name, value] of [
        ['METRICS_TOKEN', 'short'],
        ['METRICS_TOKEN', 'has spaces in the middle of it'],
        ['METRICS_ENABLED', 'yes'],
      ]) {
        let error: unknown;
        try {
          loadServiceEnvironment({ ...process.env, ...sims.env, [name]: value });
        } catch (thrown) {
          error = thrown;
        }
        expect(error).toBeInstanceOf(ConfigurationError);
        expect((error as Error).message).toContain(name);
      }
    });
  });

  it('parses what it is given strictly (the parser the tests rely on)', () => {
    const parsed = parseExposition('# HELP a_total A.\n# TYPE a_total counter\na_total{x="1",y="a\\"b"} 3\na_total{x="2"} 4\n');
    expect(sum(parsed, 'a_total')).toBe(7);
    expect(sum(parsed, 'a_total', { y: 'a"b' })).toBe(3);
    expect(() => parseExposition('not a sample')).toThrow(/Not a sample line/);
  });
});
