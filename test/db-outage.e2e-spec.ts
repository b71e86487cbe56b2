/**
 * The database goes away under load and comes back: requests during the outage fail fast with
 * 503 code 3, nothing acknowledged is lost, and the service recovers by itself. The test runs
 * its own database server (the shared one must not restart under other test files).
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { freePort, RunningDatabase, startDatabase } from '../tools/ferretdb/launcher';
import { aSaveBody, aScheme, uniqueName } from './support/builders';
import { eventually } from './support/simulators';
import { createTestApp, TestApp } from './support/test-app';

const OPERATION_TIMEOUT_MS = 1500;

/** The driver's connection class: what its pool and its server monitor send commands through. */
interface DriverConnection {
  closed: boolean;
  command(namespace: unknown, command: Record<string, unknown>, options: Record<string, unknown>): Promise<Record<string, unknown>>;
}
// Internal modules of the driver (no typings of their own): the patched code path is only reachable
// deterministically through them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Connection } = require('mongodb/lib/cmap/connection') as { Connection: new (socket: unknown, options: Record<string, unknown>) => DriverConnection };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ns } = require('mongodb/lib/utils') as { ns: (namespace: string) => unknown };
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

  it("fails a command on a connection whose socket is gone but not yet reported closed, instead of waiting forever (the driver's patch)", async () => {
    // What the server monitor meets when the database stops: the socket is destroyed (the server
    // hung up) and its 'close' event is still pending, so the connection still counts as open.
    // Unpatched, the driver waits for a 'drain' that never comes; its monitor stays stuck in that
    // check and the service never sees the database come back.
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const connection = new Connection(socket, { id: 'probe', generation: 0 });
    expect(await connection.command(ns('admin.$cmd'), { hello: 1 }, {})).toMatchObject({ isWritablePrimary: true });

    socket.destroy();
    expect(connection.closed).toBe(false);
    const outcome = await Promise.race([
      connection.command(ns('admin.$cmd'), { hello: 1 }, {}).then(
        () => 'answered',
        (error: Error) => `${error.name}: ${error.message}`,
      ),
      new Promise<string>((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5000)),
    ]);
    expect(outcome).toBe(`MongoNetworkError: connection probe to 127.0.0.1:${port} closed`);
    expect(connection.closed).toBe(true);
  });
});
