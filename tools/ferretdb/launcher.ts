/**
 * Builds and starts the local MongoDB-compatible server (FerretDB on SQLite) that
 * `npm run db`, `npm run demo` and the tests use when no MONGODB_URI is given.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { AddressInfo, connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const SOURCE_DIR = __dirname;
export const BINARY = join(ROOT, '.data', 'bin', 'ferretdb');

function newestSource(): number {
  return Math.max(...['main.go', 'go.mod', 'go.sum'].map((file) => statSync(join(SOURCE_DIR, file)).mtimeMs));
}

/** Builds the server on first use, or when its Go source changed. */
export function ensureBinary(log: (line: string) => void = console.log): string {
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= newestSource()) return BINARY;
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
  } catch {
    throw new Error('Go is needed to build the local database (FerretDB); install Go 1.24 or newer, or set MONGODB_URI to a running MongoDB.');
  }
  log('Building the local MongoDB-compatible server (FerretDB); the first build takes a minute or two...');
  execFileSync('go', ['build', '-o', BINARY, '.'], { cwd: SOURCE_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
  return BINARY;
}

export interface RunningDatabase {
  uri: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

function waitForPort(host: string, port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolvePromise, reject) => {
    const onExit = (code: number | null) => reject(new Error(`FerretDB exited with code ${code} before listening on ${host}:${port}`));
    child.once('exit', onExit);
    const attempt = () => {
      const socket = connect(port, host);
      socket.once('connect', () => {
        socket.destroy();
        child.off('exit', onExit);
        resolvePromise();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) {
          child.off('exit', onExit);
          reject(new Error(`FerretDB did not listen on ${host}:${port} within ${timeoutMs} ms`));
        } else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/** Starts FerretDB and resolves once it accepts connections. */
export async function startDatabase(options: {
  host?: string;
  port: number;
  dataDir: string;
  stdio?: 'inherit' | 'ignore';
}): Promise<RunningDatabase> {
  const host = options.host ?? '127.0.0.1';
  const binary = ensureBinary();
  mkdirSync(options.dataDir, { recursive: true });
  const child = spawn(binary, ['-listen', `${host}:${options.port}`, '-data', options.dataDir], {
    stdio: ['ignore', options.stdio ?? 'ignore', options.stdio ?? 'ignore'],
  });
  await waitForPort(host, options.port, child, 30000);
  return {
    uri: `mongodb://${host}:${options.port}/`,
    process: child,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        // A server that does not stop when asked is stopped anyway.
        const force = setTimeout(() => child.kill('SIGKILL'), 10000);
        child.once('exit', () => {
          clearTimeout(force);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** A free TCP port on loopback, for servers started by tests and tools. */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePromise(port));
    });
  });
}
