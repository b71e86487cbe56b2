/**
 * The database goes away under load and comes back: requests during the outage fail fast with
 * 503 code 3, nothing acknowledged is lost, and the service recovers by itself. The test runs
 * its own database server (the shared one must not restart under other test files).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { freePort, RunningDatabase, startDatabase } from '../tools/ferretdb/launcher';
import { aSaveBody, aScheme, uniqueName } from './support/builders';
import { eventually } from './support/simulators';
import { createTestApp, TestApp } from './support/test-app';

const OPERATION_TIMEOUT_MS = 1500;
const CLIENTS = 6;

describe('database restart under load (e2e)', () => {
  let dataDir: string;
  let port: number;
  let db: RunningDatabase;
  let testApp: TestApp;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'inspilot-outage-db-'));
    port = await freePort();
    db = await startDatabase({ port, dataDir });
    testApp = await createTestApp(
      { MONGODB_URI: `mongodb://127.0.0.1:${port}/outage`, MONGODB_OPERATION_TIMEOUT_MS: String(OPERATION_TIMEOUT_MS) },
      { logger: false },
    );
  }, 60_000);

  afterAll(async () => {
    await testApp?.close();
    await db?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fails fast with 503 while the database is down, loses no acknowledged save, and recovers by itself', async () => {
    const server = testApp.app.getHttpServer();
    const users = Array.from({ length: CLIENTS }, () => uniqueName('outage'));
    for (const username of users) await request(server).post('/paint/start').send({ username }).expect(200);

    /** Each user's saves in the order sent, and the last one acknowledged (200). */
    const sent = new Map<string, string[]>(users.map((username) => [username, []]));
    const acknowledged = new Map<string, string>();
    const outcomes: Array<{ status: number; code?: number; ms: number; during: boolean }> = [];
    let down = false;
    let running = true;
    let counter = 0;
    const client = async (username: string) => {
      while (running) {
        const task = `task ${++counter}`;
        sent.get(username)!.push(task);
        const started = Date.now();
        const response = await request(server)
          .post('/paint/save')
          .send(aSaveBody(username, { designTask: task, schemes: { 快速发散: [aScheme({ name: task })] } }));
        outcomes.push({ status: response.status, code: response.body?.code, ms: Date.now() - started, during: down });
        if (response.status === 200) acknowledged.set(username, task);
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const load = users.map(client);

    await eventually(() => outcomes.length >= CLIENTS * 3, 200, 25);
    down = true;
    await db.stop();
    // Long enough for several request timeouts to pass while it is down.
    await new Promise((resolve) => setTimeout(resolve, OPERATION_TIMEOUT_MS * 3));
    db = await startDatabase({ port, dataDir });
    down = false;
    const recovered = await eventually(() => outcomes.slice(-CLIENTS * 2).every((outcome) => outcome.status === 200), 400, 50);
    running = false;
    await Promise.all(load);
    expect(recovered).toBe(true);

    const failures = outcomes.filter((outcome) => outcome.status !== 200);
    // Every failure is the database's: 503 code 3, and none waited for the driver's own 30 s
    // server selection: a few operation timeouts at most (a busy machine adds to each).
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) expect({ status: failure.status, code: failure.code }).toEqual({ status: 503, code: 3 });
    expect(Math.max(...failures.map((failure) => failure.ms))).toBeLessThan(OPERATION_TIMEOUT_MS * 8);

    // Each user's stored state is its last acknowledged save, or a later one whose answer was
    // lost with the connection: never an older one.
    for (const username of users) {
      const state = await request(server).post('/paint/start').send({ username }).expect(200);
      const order = sent.get(username)!;
      const stored = order.indexOf(state.body.data.designTask);
      expect({ username, notOlder: stored >= order.indexOf(acknowledged.get(username)!) }).toEqual({ username, notOlder: true });
    }
  }, 120_000);
});
