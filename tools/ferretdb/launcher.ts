/**
 * Builds and starts the local MongoDB-compatible server (FerretDB on SQLite) that
 * `npm run db`, `npm run demo` and the tests use when no MONGODB_URI is given.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { AddressInfo, connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const SOURCE_DIR = __dirname;
export const BINARY = join(ROOT, '.data', 'bin', 'ferretdb');

function newestSource(): number {
  // This file holds the patch below, so changing it rebuilds too.
  return Math.max(...['main.go', 'go.mod', 'go.sum'].map((file) => statSync(join(SOURCE_DIR, file)).mtimeMs), statSync(__filename).mtimeMs);
}

/**
 * FerretDB v1's SQLite backend looks documents up by `_id` with the expression
 * `_ferretdb_sjson->'$._id'`, while the unique `_id` index it creates is on
 * `_ferretdb_sjson->"_id"`. SQLite uses an index only for the very expression it was built
 * on, so every find, update and delete by `_id` read the whole table (0.7 s at 200 MB).
 * The build uses a copy of the module whose lookups name the index's expression.
 */
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
const ID_LOOKUP_PATCH = {
  file: join('internal', 'backends', 'sqlite', 'metadata', 'metadata.go'),
  from: `IDColumn = DefaultColumn + "->'$._id'"`,
  to: `IDColumn = DefaultColumn + "->'_id'"`,
};

function makeWritable(path: string): void {
  chmodSync(path, statSync(path).isDirectory() ? 0o755 : 0o644);
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) makeWritable(join(path, entry));
}

/** A patched copy of the FerretDB module and a go.mod that builds against it; returns that go.mod. */
function patchedModFile(): string {
  execFileSync('go', ['mod', 'download', FERRETDB_MODULE], { cwd: SOURCE_DIR, stdio: 'ignore' });
  const original = execFileSync('go', ['list', '-m', '-f', '{{.Dir}}', FERRETDB_MODULE], { cwd: SOURCE_DIR }).toString().trim();
  const buildDir = join(ROOT, '.data', 'ferretdb-build');
  const copy = join(buildDir, 'ferretdb');
  if (existsSync(buildDir)) makeWritable(buildDir);
  rmSync(buildDir, { recursive: true, force: true });
  cpSync(original, copy, { recursive: true });
  makeWritable(copy);
  const target = join(copy, ID_LOOKUP_PATCH.file);
  const source = readFileSync(target, 'utf8');
  if (!source.includes(ID_LOOKUP_PATCH.from)) throw new Error(`FerretDB's ${ID_LOOKUP_PATCH.file} changed; review the _id lookup patch in ${__filename}.`);
  writeFileSync(target, source.replace(ID_LOOKUP_PATCH.from, ID_LOOKUP_PATCH.to));
  const modFile = join(buildDir, 'go.mod');
  writeFileSync(modFile, `${readFileSync(join(SOURCE_DIR, 'go.mod'), 'utf8')}\nreplace ${FERRETDB_MODULE} => ${copy}\n`);
  copyFileSync(join(SOURCE_DIR, 'go.sum'), join(buildDir, 'go.sum'));
  return modFile;
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
  execFileSync('go', ['build', `-modfile=${patchedModFile()}`, '-o', BINARY, '.'], { cwd: SOURCE_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
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
