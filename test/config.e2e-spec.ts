/**
 * The real process (src/main.ts) refuses to start on a bad configuration, an unreachable
 * database or Redis, with one clear message and no stack trace.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { isolatedDatabaseUri } from './support/test-app';

const ROOT = resolve(__dirname, '..');
const SPAWN_TIMEOUT_MS = 60_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  timedOut: boolean;
}

/**
 * Runs the server with only PATH (and HOME) inherited plus `env`, so neither the test
 * runner's MONGODB_URI nor its provider settings leak in. Kills it if it outlives the timeout.
 */
function runServer(env: Record<string, string>, timeoutMs = SPAWN_TIMEOUT_MS): Promise<Run> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? ROOT, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return new Promise((done, fail) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, output, timedOut });
    });
  });
}

// Colour codes would split the words the assertions look for.
const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');
const STACK_LINE = /^\s+at .+/;
/** The first few stack-trace lines of `output` (none expected), short enough to read in a failure. */
const stackLines = (output: string) => output.split('\n').filter((line) => STACK_LINE.test(line)).slice(0, 3);

describe('start-up (e2e: spawns src/main.ts)', () => {
  it('exits 1 with one message naming every bad variable and what it expects', async () => {
    const run = await runServer({
      PORT: 'abc',
      MONGODB_URI: 'nope',
      SD_ENDPOINTS: 'ftp://x',
      BODY_LIMIT: 'lots',
      CORS_ORIGINS: 'localhost:3000',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: 'not a url',
      PAINT_APP_ID: '-1',
      LOG_LEVEL: 'verbose',
      LOG_FORMAT: 'xml',
      IMAGE_RETENTION_CRON: '0 3 * *',
    });
    const output = plain(run.output);
    expect(run.timedOut).toBe(false);
    expect(run.code).toBe(1);
    expect(output).toContain('Invalid configuration');
    expect(output.match(/Invalid configuration/g)).toHaveLength(1);
    const expected: [string, string][] = [
      ['PORT', 'abc'],
      ['MONGODB_URI', 'nope'],
      ['SD_ENDPOINTS', 'ftp://x'],
      ['BODY_LIMIT', 'lots'],
      ['CORS_ORIGINS', 'localhost:3000'],
      ['OPENAI_BASE_URL', 'not a url'],
      // An app's own variable, in the same message.
      ['PAINT_APP_ID', '-1'],
      ['LOG_LEVEL', 'verbose'],
      ['LOG_FORMAT', 'xml'],
      // Checked by the scheduler's own cron parser.
      ['IMAGE_RETENTION_CRON', '0 3 * *'],
    ];
    for (const [name, value] of expected) {
      const line = output.split('\n').find((l) => l.trimStart().startsWith(`- ${name}:`));
      expect({ name, line }).toEqual({ name, line: expect.stringContaining(`(got "${value}")`) });
    }
    // A bad level is told the levels there are.
    expect(output).toMatch(/- LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent/);
    // Nothing else is blamed: the valid key is not listed.
    expect(output).not.toMatch(/- OPENAI_API_KEY:/);
    expect(stackLines(output)).toEqual([]);
  });

  it('names a missing required variable', async () => {
    // No OPENAI_API_KEY and no SD_ENDPOINTS at all.
    const run = await runServer({ PORT: '0' });
    const output = plain(run.output);
    expect(run.code).toBe(1);
    expect(output).toContain('Invalid configuration');
    expect(output).toMatch(/- SD_ENDPOINTS: .*required/);
    expect(output).toMatch(/- OPENAI_API_KEY: .*required/);
    expect(stackLines(output)).toEqual([]);
  });

  it('gives up on an unreachable database after MONGODB_CONNECT_TIMEOUT_MS, naming the URI without its password', async () => {
    const uri = 'mongodb://user:secret@127.0.0.1:9/x';
    const run = await runServer({
      MONGODB_URI: uri,
      MONGODB_CONNECT_TIMEOUT_MS: '1000',
      PORT: '0',
      HOST: '127.0.0.1',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      SD_ENDPOINTS: 'http://127.0.0.1:9',
    });
    const output = plain(run.output);
    expect(run.timedOut).toBe(false);
    expect(run.code).toBe(1);
    // It gave up after MONGODB_CONNECT_TIMEOUT_MS (1 s), not the 30 s default.
    expect(output).toContain('gave up after 1 s');
    expect(output).toContain('Cannot reach MongoDB at mongodb://user:***@127.0.0.1:9/x');
    expect(output).toContain('npm run db');
    expect(output).not.toContain('secret');
    expect(stackLines(output)).toEqual([]);
  });

  it('a start that fails after the logger is set up (Redis not answering) still says why, as a log line of its format', async () => {
    const run = await runServer({
      NODE_ENV: 'production',
      MONGODB_URI: isolatedDatabaseUri(),
      PORT: '0',
      HOST: '127.0.0.1',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      SD_ENDPOINTS: 'http://127.0.0.1:9',
      REDIS_URL: 'redis://127.0.0.1:9',
      REDIS_TIMEOUT_MS: '500',
    });
    expect(run.timedOut).toBe(false);
    expect(run.code).toBe(1);
    const lines = run.output.split('\n').filter((line) => line.trim() !== '');
    // Nest's start-up lines, held back until it would have listened, are written too.
    expect(lines.length).toBeGreaterThan(5);
    expect(JSON.parse(lines[lines.length - 1])).toMatchObject({
      level: 'error',
      context: 'Bootstrap',
      msg: expect.stringMatching(/^Redis at redis:\/\/127\.0\.0\.1:9 did not answer within REDIS_TIMEOUT_MS \(500 ms\); start it or fix REDIS_URL\.$/),
    });
    expect(stackLines(run.output)).toEqual([]);
  });
});
