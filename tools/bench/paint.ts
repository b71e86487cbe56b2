/**
 * /paint/start and /paint/save over HTTP at 50 connections, for a small state and a 24 MB one,
 * on an empty database and again with over 1 GB of other participants' drawings stored; the
 * 24 MB save round trip against a bare JSON parse and serialise of the same body; and how long
 * /ping waits while a 700,000-point session is being saved.
 */
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { aCanvasPath, aRandomDataUrl, aSaveBody, aScheme, SaveBody } from '../../test/support/builders';
import { freePort } from '../ferretdb/launcher';
import { startStack } from '../stack';

const CONNECTIONS = 50;
const SECONDS = 10;
/** Other participants' data stored before the second round: 44 sessions of 24 MB. */
const FILL_SESSIONS = 44;
const BIG = { schemes: 40, sketchBytes: 600 * 1024 };
const ROUND_TRIPS = 5;

/** A body as bytes; a Buffer is sent as it is, so the client's own JSON and UTF-8 work is not timed. */
async function post(url: string, body: unknown): Promise<{ status: number; bytes: number }> {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length) });
  const text = await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${Buffer.from(text).toString('utf8', 0, 300)}`);
  return { status: response.status, bytes: text.byteLength };
}

function bigState(username: string): SaveBody {
  return aSaveBody(username, {
    schemes: {
      快速发散: Array.from({ length: BIG.schemes }, (_, index) =>
        aScheme({ name: `方案${index + 1}`, canvasImage: aRandomDataUrl(BIG.sketchBytes), paths: [aCanvasPath({ points: 200 })] }),
      ),
    },
  });
}

const smallState = (username: string) => aSaveBody(username, { schemes: { 快速发散: [aScheme()] } });

interface Load {
  label: string;
  p50: number;
  p99: number;
  rps: number;
  errors: number;
}

/**
 * 50 connections for SECONDS (or `amount` requests), each request for one of `users`; a request
 * that takes longer than two minutes counts as an error.
 */
async function load(label: string, url: string, users: string[], body: (username: string) => unknown, amount?: number): Promise<Load> {
  const bodies = users.map((username) => JSON.stringify(body(username)));
  let next = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    timeout: 120,
    ...(amount ? { amount } : { duration: SECONDS }),
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }],
  });
  const errors = result.errors + result.timeouts + result.non2xx;
  return { label, p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, errors };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

const pad = (text: string | number, width: number) => String(text).padEnd(width);

function print(rows: Load[]): void {
  console.log(`${pad('route and state', 44)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('req/s', 9)}errors`);
  for (const row of rows) console.log(`${pad(row.label, 44)}${pad(row.p50, 9)}${pad(row.p99, 9)}${pad(row.rps.toFixed(0), 9)}${row.errors}`);
}

export async function benchPaint(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'inspilot-bench-paint-'));
  const stack = await startStack({
    gptLatencyMs: 10,
    sdLatencyMs: 10,
    sdInstances: 1,
    apiPort: await freePort(),
    dataDir,
    env: { NODE_ENV: 'production', RATE_LIMIT: '1000000', RATE_LIMIT_GENERATE: '1000000' },
  });
  const start = `${stack.apiUrl}/paint/start`;
  const save = `${stack.apiUrl}/paint/save`;
  try {
    const small = Array.from({ length: CONNECTIONS }, (_, index) => `small-${index}`);
    for (const username of small) {
      await post(start, { username });
      await post(save, smallState(username));
    }
    const big = 'big-session';
    const bigBody = bigState(big);
    const bigText = JSON.stringify(bigBody);
    const bigBytes = Buffer.from(bigText);
    await post(start, { username: big });

    console.log(`${CONNECTIONS} connections, ${SECONDS} s each unless a count is given; the API runs in its own process.\n`);
    console.log('Empty database (the small participants and one 24 MB session only):');
    const before = [
      await load('/ping (the cost of HTTP alone, for scale)', `${stack.apiUrl}/ping`, small, () => ({})),
      await load('/paint/start small', start, small, (username) => ({ username })),
      await load('/paint/save small', save, small, smallState),
    ];
    print(before);

    const fillStarted = performance.now();
    let stored = 0;
    const limit = pLimit(2);
    await Promise.all(
      Array.from({ length: FILL_SESSIONS }, (_, index) =>
        limit(async () => {
          const username = `other-${index}`;
          const body = bigState(username);
          await post(start, { username });
          await post(save, body);
          stored += BIG.schemes * BIG.sketchBytes;
        }),
      ),
    );
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    console.log(
      `\nStored ${(stored / 2 ** 30).toFixed(2)} GiB of other participants' sketches (${FILL_SESSIONS} sessions) in ${fillSeconds.toFixed(0)} s ` +
        `(${(stored / 2 ** 20 / fillSeconds).toFixed(1)} MiB/s).\n`,
    );

    // The 24 MB round trip: a save, then the start that gives it back.
    const first = await timed(() => post(save, bigBytes));
    const trips: number[] = [];
    const saves: number[] = [];
    for (let run = 0; run < ROUND_TRIPS; run++) {
      // A changed task, so each save is a real save of an otherwise unchanged session (an autosave).
      const body = Buffer.from(JSON.stringify({ ...bigBody, data: { ...bigBody.data, designTask: `task ${run}` } }));
      const started = performance.now();
      await post(save, body);
      saves.push(performance.now() - started);
      await post(start, { username: big });
      trips.push(performance.now() - started);
    }
    const bare: number[] = [];
    for (let run = 0; run < ROUND_TRIPS; run++) bare.push(await timed(async () => JSON.stringify(JSON.parse(bigText))));
    const ratio = median(trips) / median(bare);
    console.log(
      `24 MB session (${(bigText.length / 2 ** 20).toFixed(1)} MiB body, ${BIG.schemes} schemes): first save ${first.toFixed(0)} ms; ` +
        `round trip of an autosave (save + start) median ${median(trips).toFixed(0)} ms (save ${median(saves).toFixed(0)} ms); ` +
        `bare JSON.parse + JSON.stringify ${median(bare).toFixed(0)} ms; ratio ${ratio.toFixed(2)} (target ≤ 3).\n`,
    );

    console.log('With the other participants\' data stored:');
    const after = [
      await load('/ping (the cost of HTTP alone, for scale)', `${stack.apiUrl}/ping`, small, () => ({})),
      await load('/paint/start small', start, small, (username) => ({ username })),
      await load('/paint/save small', save, small, smallState),
      await load('/paint/start 24 MB (100 requests)', start, [big], (username) => ({ username }), 100),
      await load('/paint/save 24 MB autosave (50 requests)', save, [big], () => bigBody, 50),
    ];
    print(after);
    console.log(
      `\nsmall /paint/start p99 ${after[1].p99} ms (target ≤ 100 ms); on the empty database ${before[1].p99} ms; ` +
        `/ping p99 in the same run ${after[0].p99} ms.`,
    );

    // /ping while a 700,000-point session is parsed and checked.
    const huge = aSaveBody(big, {
      schemes: { 快速发散: Array.from({ length: 20 }, (_, index) => aScheme({ name: `长${index}`, paths: Array.from({ length: 50 }, () => aCanvasPath({ points: 700 })) })) },
    });
    const pings: number[] = [];
    let saving = true;
    const saved = post(save, huge).finally(() => (saving = false));
    while (saving) pings.push(await timed(() => fetch(`${stack.apiUrl}/ping`).then((response) => response.text())));
    await saved;
    console.log(
      `/ping during a ${(JSON.stringify(huge).length / 2 ** 20).toFixed(1)} MiB save of 700,000 points: ${pings.length} pings, ` +
        `slowest ${Math.max(...pings).toFixed(0)} ms, median ${median(pings).toFixed(0)} ms (target: under ~100 ms).`,
    );
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
