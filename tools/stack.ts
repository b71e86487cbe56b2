/**
 * Starts what the API needs on this machine — the local database (unless MONGODB_URI is
 * given), one GPT simulator, N Stable Diffusion simulators — and the API wired to them.
 * Used by `npm run demo` and `npm run bench`; the cluster benchmark runs several API processes.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { freePort, RunningDatabase, startDatabase } from './ferretdb/launcher';
import { GptSimHandle, SdSimHandle, startGptSim, startSdSim } from './sim';

const ROOT = resolve(__dirname, '..');

export interface StackOptions {
  gptLatencyMs: number;
  sdLatencyMs: number;
  sdInstances: number;
  apiPort: number;
  /** Keep the database under .data/ferretdb on 127.0.0.1:27017 (demo), or a throwaway one (bench). */
  dataDir?: string;
  dbPort?: number;
  /** The database to use, instead of MONGODB_URI or a local one. */
  mongoUri?: string;
  /** Extra environment for the API. */
  env?: Record<string, string>;
  /** Show the API's log on this terminal. */
  showApiLog?: boolean;
  /**
   * API processes sharing the database and the SD instances (default 1); more need `REDIS_URL`
   * in `env`. The first listens on `apiPort`, the others on free ports.
   */
  apiNodes?: number;
}

export interface Stack {
  apiUrl: string;
  mongoUri: string;
  gpt: GptSimHandle;
  sd: SdSimHandle[];
  api: ChildProcess;
  /** Every API process, the first being `apiUrl`/`api`. */
  nodes: { url: string; process: ChildProcess }[];
  stop(): Promise<void>;
}

function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => done(!socket.destroy()));
    socket.once('error', () => done(false));
  });
}

async function waitForApi(url: string, api: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (api.exitCode !== null) throw new Error(`The API exited with code ${api.exitCode} while starting`);
    try {
      if ((await fetch(`${url}/ping`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`The API did not answer ${url}/ping within ${timeoutMs} ms`);
}

export async function startStack(options: StackOptions): Promise<Stack> {
  let db: RunningDatabase | undefined;
  let mongoUri = options.mongoUri ?? process.env.MONGODB_URI;
  if (!mongoUri) {
    const port = options.dbPort ?? (await freePort());
    if (await listening(port)) {
      mongoUri = `mongodb://127.0.0.1:${port}/inspilot`; // `npm run db` is already running
    } else {
      db = await startDatabase({ port, dataDir: options.dataDir ?? join(ROOT, '.data', 'ferretdb') });
      mongoUri = `${db.uri}inspilot`;
    }
  }
  let gpt: GptSimHandle;
  let sd: SdSimHandle[];
  try {
    gpt = await startGptSim({ latencyMs: options.gptLatencyMs });
    sd = await Promise.all(Array.from({ length: options.sdInstances }, () => startSdSim({ latencyMs: options.sdLatencyMs })));
  } catch (error) {
    await db?.stop();
    throw error;
  }
  const env = {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    PORT: String(options.apiPort),
    HOST: '127.0.0.1',
    MONGODB_URI: mongoUri,
    OPENAI_API_KEY: 'sk-local-simulator',
    OPENAI_BASE_URL: `${gpt.url}/v1`,
    SD_ENDPOINTS: sd.map((instance) => instance.url).join(','),
    ...options.env,
  };
  const ports = [options.apiPort];
  while (ports.length < (options.apiNodes ?? 1)) ports.push(await freePort());
  const nodes = ports.map((port) => ({
    url: `http://127.0.0.1:${port}`,
    process: spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...env, PORT: String(port) },
      stdio: ['ignore', options.showApiLog ? 'inherit' : 'ignore', 'inherit'],
    }),
  }));
  const stop = async () => {
    await Promise.all(
      nodes.map(async ({ process: api }) => {
        if (api.exitCode !== null || api.signalCode !== null) return;
        const exited = new Promise((r) => api.once('exit', r));
        api.kill('SIGTERM');
        await exited;
      }),
    );
    await Promise.all([gpt.close(), ...sd.map((instance) => instance.close())]);
    await db?.stop();
  };
  try {
    await Promise.all(nodes.map((node) => waitForApi(node.url, node.process, 60000)));
  } catch (error) {
    await stop();
    throw error;
  }
  const [{ url: apiUrl, process: api }] = nodes;
  return { apiUrl, mongoUri, gpt, sd, api, nodes, stop };
}
