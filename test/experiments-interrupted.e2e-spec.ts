/**
 * A server killed in the middle of a generation leaves a `running` record holding the steps
 * done so far; the next start marks it `interrupted`. Spawns the real process (src/main.ts)
 * twice on one database, against simulators whose Stable Diffusion never finishes in time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import mongoose from 'mongoose';
import { freePort } from '../tools/ferretdb/launcher';
import { uniqueName } from './support/builders';
import { isolatedDatabaseUri } from './support/test-app';
import { startSims, type Sims } from './support/simulators';

const ROOT = resolve(__dirname, '..');
const KEY = 'research-key-for-the-interrupt-test';
const START_TIMEOUT_MS = 60_000;
const WAIT_TIMEOUT_MS = 30_000;

interface Server {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

interface Step {
  name: string;
  status: string;
  prompt?: string;
  items?: string[];
}

interface ExperimentRecord {
  _id: string;
  status: string;
  username?: string;
  endedAt?: string;
  steps: Step[];
  output?: unknown;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls `check` until it returns a value, failing with `what` (and the server log) after `timeoutMs`. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, server?: Server, timeoutMs = WAIT_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(100);
  }
  throw new Error(`Timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}\n${server?.output().slice(-3000) ?? ''}`);
}

describe('a generation cut short by a killed process (e2e: spawns src/main.ts)', () => {
  let sims: Sims;
  let env: NodeJS.ProcessEnv;
  let databaseUri: string;
  /** Spawned servers still running, with the promise of their exit. */
  const children = new Map<ChildProcess, Promise<unknown>>();

  async function startServer(): Promise<Server> {
    const port = await freePort();
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.once('exit', (code, signal) => {
        children.delete(child);
        done({ code, signal });
      }),
    );
    children.set(child, exited);
    const server: Server = { child, url: `http://127.0.0.1:${port}`, output: () => output, exited };
    await waitFor(
      'the server to answer /ping',
      async () => {
        if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output}`);
        const response = await fetch(`${server.url}/ping`);
        return response.ok ? true : undefined;
      },
      server,
      START_TIMEOUT_MS,
    );
    return server;
  }

  async function research<T>(server: Server, path: string): Promise<T> {
    const response = await fetch(`${server.url}${path}`, { headers: { 'X-API-Key': KEY } });
    const body = (await response.json()) as { success: boolean; data: T; message: string };
    if (!response.ok || !body.success) throw new Error(`GET ${path}: ${response.status} ${body.message}`);
    return body.data;
  }

  beforeAll(async () => {
    // The images step hangs far longer than the test, so the run is always mid-way when killed.
    sims = await startSims({ sdCount: 1, gpt: { latencyMs: 0 }, sd: { latencyMs: 30_000 } });
    databaseUri = isolatedDatabaseUri();
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? ROOT,
      NO_COLOR: '1',
      HOST: '127.0.0.1',
      MONGODB_URI: databaseUri,
      RESEARCH_API_KEY: KEY,
      ...sims.env,
    };
  });

  afterAll(async () => {
    // Whatever happened in the test, no server outlives it.
    const exits = [...children].map(([child, exited]) => {
      child.kill('SIGKILL');
      return exited;
    });
    await Promise.all(exits);
    await sims?.closeAll();
    if (databaseUri) {
      const connection = await mongoose.createConnection(databaseUri).asPromise();
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    }
  });

  it('leaves a running record with the steps done so far, which the next start marks interrupted', async () => {
    const username = uniqueName('killed');
    const first = await startServer();

    const cutShort = fetch(`${first.url}/generate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-InsPilot-User': username },
      body: JSON.stringify({ appid: 0, type: 0, prompts: { task: '设计一款运动辅助产品', num: 2 } }),
    }).then(
      (response) => `answered ${response.status}`,
      () => 'connection lost',
    );

    // Mid-run: the record is written and the images are being made.
    const running = await waitFor(
      'a running record whose images step has started',
      async () => {
        if (!sims.sds[0].events().some((event) => event.kind === 'txt2img' && event.outcome === 'pending')) return undefined;
        const page = await research<{ items: ExperimentRecord[] }>(first, `/experiments?username=${username}`);
        if (page.items.length !== 1 || page.items[0].status !== 'running') return undefined;
        const record = await research<ExperimentRecord>(first, `/experiments/${page.items[0]._id}`);
        const images = record.steps.find((step) => step.name === 'images');
        return images?.status === 'running' ? record : undefined;
      },
      first,
    );
    const doneBeforeKill = running.steps.filter((step) => step.status === 'succeeded').map((step) => step.name);
    expect(doneBeforeKill).toEqual(expect.arrayContaining(['products', 'scenes', 'sdPrompts']));

    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await cutShort).toBe('connection lost');

    const second = await startServer();
    const interrupted = await waitFor(
      'the record to be marked interrupted',
      async () => {
        const record = await research<ExperimentRecord>(second, `/experiments/${running._id}`);
        return record.status === 'interrupted' ? record : undefined;
      },
      second,
    );
    expect(interrupted.username).toBe(username);
    expect(Number.isNaN(Date.parse(interrupted.endedAt ?? ''))).toBe(false);
    expect(interrupted.output).toBeUndefined();
    // What was recorded before the kill is still there, as it was.
    for (const name of doneBeforeKill) {
      const before = running.steps.find((step) => step.name === name)!;
      const after = interrupted.steps.find((step) => step.name === name);
      expect(after).toEqual(before);
    }
    expect(interrupted.steps.find((step) => step.name === 'images')?.status).toBe('running');

    const byStatus = await research<{ items: ExperimentRecord[] }>(second, '/experiments?status=interrupted');
    expect(byStatus.items.map((item) => item._id)).toEqual([running._id]);
    expect((await research<{ items: ExperimentRecord[] }>(second, '/experiments?status=running')).items).toEqual([]);

    // The restarted server records its own runs normally: only the dead process's run was interrupted.
    await sims.sds[0].configure({ latencyMs: 0 });
    const after = await fetch(`${second.url}/generate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-InsPilot-User': username },
      body: JSON.stringify({ appid: 0, type: 0, prompts: { task: '设计一款运动辅助产品', num: 1 } }),
    });
    expect(((await after.json()) as { success: boolean }).success).toBe(true);
    const mine = await research<{ items: ExperimentRecord[] }>(second, `/experiments?username=${username}`);
    expect(mine.items.map((item) => item.status)).toEqual(['succeeded', 'interrupted']);

    second.child.kill('SIGTERM');
    await second.exited;
  });
});
