/**
 * The real server process (src/main.ts, as tools/stack.ts runs it) for tests that need several
 * of them, or need to kill one: each on a free port, with its output kept for failure messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort } from '../../tools/ferretdb/launcher';

const ROOT = resolve(__dirname, '..', '..');

export interface ApiProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** Everything it wrote, stdout and stderr interleaved. */
  output(): string;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The environment every spawned server starts from: nothing of the test process's but what a server needs. */
export function baseEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? ROOT,
    NO_COLOR: '1',
    HOST: '127.0.0.1',
    NODE_ENV: 'test',
    RATE_LIMIT: '1000000',
    RATE_LIMIT_GENERATE: '1000000',
  };
}

/** Starts src/main.ts with `env` and a free PORT; resolves once it answers /ping. */
export async function startApiProcess(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const server: ApiProcess = { child, url: `http://127.0.0.1:${port}`, port, output: () => output, stdout: () => stdout, stderr: () => stderr, exited };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server exited with ${child.exitCode ?? child.signalCode}:\n${output}`);
    try {
      if ((await fetch(`${server.url}/ping`)).ok) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer /ping within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** Stops a server: SIGTERM (a graceful stop) or SIGKILL (a crash); resolves once it has exited. */
export async function stopApiProcess(server: ApiProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill(signal);
  await server.exited;
}
