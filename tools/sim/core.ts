import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { seededRandom } from './hash';
import { HttpError, errorBody, isObject, readJson, sendJson } from './http';

/**
 * What both simulators share: fault injection, the event log, concurrency
 * accounting, the /__sim admin routes, and the listen / refuse / accept cycle.
 * A simulator only supplies a route function and calls `runModel` for the
 * requests that stand for model work.
 */

/** How long before its latency ends an answer starts being made. */
const PRODUCE_AHEAD_MS = 150;
/** Share of the latency before a streamed answer's first chunk; the rest of its chunks spread to the end. */
const FIRST_CHUNK_SHARE = 0.5;

/** Knobs common to both simulators. All can be changed while running. */
export interface FaultOptions {
  /** Delay before each model answer, ms. */
  latencyMs: number;
  /** Fraction (0..1) of model requests that fail with `errorStatus`. */
  errorRate: number;
  errorStatus: number;
  /** Statuses for the next model requests, consumed in order; 0 = reset the connection without answering. */
  failNext: number[];
  /** Model requests never answer (until the client or close() gives up). */
  hang: boolean;
  /** The next N model requests hang, then requests answer again. */
  hangNext: number;
  /** Model requests whose prompt contains this text hang ('' = none): one step of a pipeline hangs. */
  hangPromptContains: string;
  /** Sent as `retry-after-ms` and `retry-after` (whole seconds, rounded up) with injected 429 and 503 answers; 0 = no header. */
  retryAfterMs: number;
  /** Not listening: connections are refused. */
  refuse: boolean;
  /** Seed of the generator behind errorRate and random SD seeds. */
  seed: number;
}

export const FAULT_DEFAULTS: FaultOptions = {
  latencyMs: 0,
  errorRate: 0,
  errorStatus: 500,
  failNext: [],
  hang: false,
  hangNext: 0,
  hangPromptContains: '',
  retryAfterMs: 0,
  refuse: false,
  seed: 1,
};

export type ModelKind = 'chat' | 'txt2img' | 'img2img';
/** pending = still running; reset = socket destroyed on purpose; aborted = client left or the sim closed. */
export type Outcome = 'pending' | 'ok' | 'error' | 'reset' | 'aborted';

export interface SimEvent {
  id: number;
  kind: ModelKind;
  /** performance.now() of this process, ms. */
  start: number;
  end: number | null;
  /** One counter shared by starts and ends: `a.endSeq < b.startSeq` proves a finished before b began. */
  startSeq: number;
  endSeq: number | null;
  /** HTTP status answered; 0 for a deliberate reset; null while pending or when aborted. */
  status: number | null;
  outcome: Outcome;
  /** First 200 characters of the prompt. */
  prompt: string;
  meta: Record<string, unknown>;
}

/** One call of the SD interrupt route: `seq` shares the counter of the events, to order it against them. */
export interface SimInterrupt {
  seq: number;
  /** performance.now() of this process, ms. */
  at: number;
  /** In-flight jobs it woke (hung ones are not woken). */
  woken: number;
}

export interface SimStats {
  url: string;
  port: number;
  listening: boolean;
  inFlight: number;
  /** Highest number of model requests in flight at once since start or the last clearEvents(). */
  maxConcurrent: number;
  /** Model requests started since start or the last clearEvents(). */
  requests: number;
}

export interface ModelJob {
  kind: ModelKind;
  prompt: string;
  meta: Record<string, unknown>;
  /** Answered as server-sent events: the first at half the latency, the last at its end. */
  stream?: boolean;
}

export interface ModelReply {
  status: number;
  body: unknown;
}

/** A streamed answer: each event is one `data:` line; `data: [DONE]` follows the last. */
export interface StreamedReply {
  events: unknown[];
  /** Sends this many events, then holds the connection open without finishing. */
  stallAfter?: number;
}

/** A job currently in flight, as the SD progress route sees it. */
export interface RunningJob {
  event: SimEvent;
  latencyMs: number;
}

/** What a simulator's route function gets to work with. */
export interface SimContext<C extends FaultOptions> {
  /** Live configuration (mutable: a simulator may count down its own one-shot options). */
  readonly config: C;
  /** Random numbers from the configured seed. */
  random(): number;
  /**
   * Runs one model request through latency and faults, then answers with `produce()`: a JSON
   * reply, or for a streamed job the events it streams (`meta.chunks` counts those sent,
   * `meta.stalled` marks a held stream).
   */
  runModel(res: ServerResponse, job: ModelJob, produce: () => ModelReply | StreamedReply | Promise<ModelReply | StreamedReply>): Promise<void>;
  /** Logs a model request turned away before any work (e.g. a bad key) and answers it. */
  reject(res: ServerResponse, job: ModelJob, status: number, message: string): void;
  /** Cuts the latency wait of every in-flight job short; returns how many were woken. */
  interrupt(): number;
  running(): RunningJob[];
}

/** Returns false when it does not know the route (the core answers 404). */
export type RouteFn<C extends FaultOptions> = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: SimContext<C>,
) => Promise<boolean>;

export interface SimHandle<C extends FaultOptions> {
  /** Base URL, e.g. http://127.0.0.1:5101 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Stops everything, including keep-alive sockets and hung requests. */
  close(): Promise<void>;
  /** Merges `partial` into the live configuration; resolves once a refuse/accept change has taken effect. */
  configure(partial: Partial<C>): Promise<C>;
  /** A copy of the current configuration. */
  config(): C;
  /** Stops listening (ECONNREFUSED) and drops open sockets; the port is kept for accept(). */
  refuse(): Promise<void>;
  /** Listens again on the same port. */
  accept(): Promise<void>;
  events(): SimEvent[];
  /** Interrupt calls since start or the last clearEvents(). */
  interrupts(): SimInterrupt[];
  /** Empties the logs and restarts maxConcurrent / requests counting. */
  clearEvents(): void;
  stats(): SimStats;
  /** Back to the start options, empty log, listening. */
  reset(): Promise<C>;
}

export interface StartOptions {
  /** 0 (default) = any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

const MAX_EVENTS = 20_000;
const PROMPT_CHARS = 200;

interface Tracked {
  event: SimEvent;
  latencyMs: number;
  wake: () => void;
  /** Ends every wait of the request, a held stream's included. */
  abandon: () => void;
  /** Settles once the request has been answered, reset or abandoned. */
  done: Promise<void>;
}

/** Checks a config patch against the defaults' keys and value types, so a typo in a test or curl fails loudly. */
function validatePatch<C extends FaultOptions>(defaults: C, patch: unknown): Partial<C> {
  if (!isObject(patch)) throw new HttpError(400, 'config must be a JSON object');
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (!(key in defaults)) throw new HttpError(400, `unknown option "${key}"`);
    const expected: unknown = defaults[key as keyof C];
    const ok = Array.isArray(expected)
      ? Array.isArray(value) && value.every((v) => typeof v === 'number')
      : typeof value === typeof expected;
    if (!ok) throw new HttpError(400, `option "${key}" must be ${Array.isArray(expected) ? 'a number array' : typeof expected}`);
    clean[key] = value;
  }
  return clean as Partial<C>;
}

class Simulator<C extends FaultOptions> implements SimContext<C> {
  readonly config: C;
  private readonly initial: C;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly inflight = new Set<Tracked>();
  private log: SimEvent[] = [];
  private interruptLog: SimInterrupt[] = [];
  private nextId = 1;
  private seq = 0;
  private maxConcurrent = 0;
  private requests = 0;
  private rng: () => number;
  private port = 0;
  private listening = false;
  private closed = false;
  /** Serialises listen/close transitions so refuse() and accept() called back to back cannot interleave. */
  private transition: Promise<void> = Promise.resolve();

  constructor(
    private readonly name: string,
    defaults: C,
    private readonly route: RouteFn<C>,
    private readonly host: string,
  ) {
    this.initial = structuredClone(defaults);
    this.config = structuredClone(defaults);
    this.rng = seededRandom(defaults.seed);
    this.server = http.createServer((req, res) => void this.dispatch(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  random(): number {
    return this.rng();
  }

  async start(port: number): Promise<void> {
    await this.listen(port);
    if (this.config.refuse) await this.setListening(false);
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, this.host, () => {
        this.server.off('error', onError);
        this.port = (this.server.address() as AddressInfo).port;
        this.listening = true;
        resolve();
      });
    });
  }

  private async stopListening(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.listening = false;
      // close() stops accepting at once but only calls back when every connection is gone.
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
    // The aborted requests learn of it a little after the server does; let their events settle first.
    await Promise.all([...this.inflight].map((t) => t.done));
    // An in-process client (fetch's keep-alive pool) notices the dropped sockets on its next I/O poll;
    // without this pause its next request could go out on a dead socket and fail with a reset
    // instead of the ECONNREFUSED a test expects.
    await new Promise((resolve) => setTimeout(resolve, 25));
  }

  setListening(on: boolean): Promise<void> {
    const step = async () => {
      if (this.closed || on === this.listening) return;
      if (on) await this.listen(this.port);
      else await this.stopListening();
    };
    this.transition = this.transition.then(step, step);
    return this.transition.then(() => {
      this.config.refuse = !this.listening;
    });
  }

  async close(): Promise<void> {
    await this.setListening(false);
    this.closed = true;
    // Destroying the sockets already ended these; this is a safety net for anything left waiting.
    for (const t of this.inflight) t.abandon();
  }

  async configure(patch: Partial<C>): Promise<C> {
    const clean = validatePatch(this.initial, patch);
    const { refuse, ...rest } = clean;
    Object.assign(this.config, structuredClone(rest));
    if (rest.seed !== undefined) this.rng = seededRandom(rest.seed);
    if (refuse !== undefined) await this.setListening(!refuse);
    return this.snapshot();
  }

  async reset(): Promise<C> {
    for (const key of Object.keys(this.config)) delete (this.config as Record<string, unknown>)[key];
    Object.assign(this.config, structuredClone(this.initial), { refuse: this.config.refuse });
    this.rng = seededRandom(this.initial.seed);
    this.clearEvents();
    await this.setListening(true);
    return this.snapshot();
  }

  snapshot(): C {
    return structuredClone(this.config);
  }

  events(): SimEvent[] {
    return this.log.map((e) => ({ ...e, meta: { ...e.meta } }));
  }

  interrupts(): SimInterrupt[] {
    return this.interruptLog.map((entry) => ({ ...entry }));
  }

  clearEvents(): void {
    this.log = [];
    this.interruptLog = [];
    this.maxConcurrent = this.inflight.size;
    this.requests = 0;
  }

  stats(): SimStats {
    return {
      url: this.url,
      port: this.port,
      listening: this.listening,
      inFlight: this.inflight.size,
      maxConcurrent: this.maxConcurrent,
      requests: this.requests,
    };
  }

  running(): RunningJob[] {
    return [...this.inflight].map((t) => ({ event: t.event, latencyMs: t.latencyMs }));
  }

  interrupt(): number {
    let n = 0;
    for (const t of this.inflight) {
      if (!Number.isFinite(t.latencyMs)) continue; // hung requests stay hung
      t.wake();
      n++;
    }
    this.interruptLog.push({ seq: ++this.seq, at: performance.now(), woken: n });
    return n;
  }

  private begin(job: ModelJob): SimEvent {
    const event: SimEvent = {
      id: this.nextId++,
      kind: job.kind,
      start: performance.now(),
      end: null,
      startSeq: ++this.seq,
      endSeq: null,
      status: null,
      outcome: 'pending',
      prompt: job.prompt.slice(0, PROMPT_CHARS),
      meta: job.meta,
    };
    this.log.push(event);
    if (this.log.length > MAX_EVENTS) this.log.splice(0, this.log.length - MAX_EVENTS);
    this.requests++;
    return event;
  }

  private finish(event: SimEvent, status: number | null, outcome: Outcome): void {
    if (event.outcome !== 'pending') return;
    event.end = performance.now();
    event.endSeq = ++this.seq;
    event.status = status;
    event.outcome = outcome;
  }

  /** Decides the fate of a request before it waits: a scripted status, a hang, a random error, or none. */
  private nextFault(job: ModelJob): number | 'hang' | undefined {
    if (this.config.failNext.length > 0) return this.config.failNext.shift();
    if (this.config.hangNext > 0) {
      this.config.hangNext--;
      return 'hang';
    }
    if (this.config.hang || (this.config.hangPromptContains !== '' && job.prompt.includes(this.config.hangPromptContains))) return 'hang';
    if (this.config.errorRate > 0 && this.rng() < this.config.errorRate) return this.config.errorStatus;
    return undefined;
  }

  reject(res: ServerResponse, job: ModelJob, status: number, message: string): void {
    const event = this.begin(job);
    sendJson(res, status, errorBody(status, message));
    this.finish(event, status, 'error');
  }

  async runModel(
    res: ServerResponse,
    job: ModelJob,
    produce: () => ModelReply | StreamedReply | Promise<ModelReply | StreamedReply>,
  ): Promise<void> {
    const event = this.begin(job);
    const fault = this.nextFault(job);
    const latencyMs = fault === 'hang' ? Infinity : Math.max(0, this.config.latencyMs);
    // A stream's wait ends at its first chunk; its other chunks fill the rest of the latency.
    const waitMs = job.stream && fault === undefined ? latencyMs * FIRST_CHUNK_SHARE : latencyMs;

    // The wait ends on the latency timer, on interrupt() / close(), or when the client goes away.
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const gone = new AbortController();
    const abandon = () => {
      gone.abort();
      wake();
    };
    const onClose = () => {
      if (!res.writableFinished) abandon();
    };
    res.on('close', onClose);
    // A hung request ignores interrupt(): only close() or the client leaving ends it.
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    const tracked: Tracked = { event, latencyMs, wake: fault === 'hang' ? () => undefined : wake, abandon, done };
    this.inflight.add(tracked);
    this.maxConcurrent = Math.max(this.maxConcurrent, this.inflight.size);
    const timer = Number.isFinite(waitMs) && waitMs > 0 ? setTimeout(wake, waitMs) : undefined;
    if (waitMs === 0) wake();
    const stopped = () => gone.signal.aborted || this.closed;
    // The answer is made during the last part of the wait, so latency is the whole service
    // time of a request (benchmarks compare against it exactly) and making one answer does not
    // hold up the arrival of requests sent at the same moment.
    let startProducing!: () => void;
    const produceGate = new Promise<void>((resolve) => (startProducing = resolve));
    const produceTimer = Number.isFinite(waitMs) ? setTimeout(startProducing, Math.max(0, waitMs - PRODUCE_AHEAD_MS)) : undefined;
    const reply = fault === undefined ? produceGate.then(produce) : undefined;
    reply?.catch(() => undefined);

    try {
      await woken;
      // Woken early (interrupt): the answer is needed now.
      clearTimeout(produceTimer);
      startProducing();
      if (stopped()) {
        this.finish(event, null, 'aborted');
      } else if (fault === 0) {
        res.socket?.destroy();
        this.finish(event, 0, 'reset');
      } else if (fault !== undefined && fault !== 'hang') {
        sendJson(res, fault, errorBody(fault, `${this.name} simulator: injected failure ${fault}`), this.retryAfter(fault));
        this.finish(event, fault, 'error');
      } else {
        const answer = await reply!;
        if (stopped()) {
          this.finish(event, null, 'aborted');
        } else if ('events' in answer) {
          const outcome = await streamEvents(res, event, answer, event.start + latencyMs, gone.signal);
          this.finish(event, outcome === 'ok' ? 200 : null, outcome);
        } else {
          sendJson(res, answer.status, answer.body);
          this.finish(event, answer.status, answer.status < 400 ? 'ok' : 'error');
        }
      }
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      sendJson(res, status, errorBody(status, err instanceof Error ? err.message : String(err)));
      this.finish(event, status, 'error');
    } finally {
      if (timer) clearTimeout(timer);
      clearTimeout(produceTimer);
      res.off('close', onClose);
      this.inflight.delete(tracked);
      settle();
    }
  }

  /** The headers that tell a client how long to wait before trying again, as OpenAI and Azure send them. */
  private retryAfter(status: number): Record<string, string> {
    const ms = this.config.retryAfterMs;
    if (ms <= 0 || (status !== 429 && status !== 503)) return {};
    return { 'retry-after-ms': String(ms), 'retry-after': String(Math.ceil(ms / 1000)) };
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://sim.local');
      if (url.pathname.startsWith('/__sim/')) return await this.admin(req, res, url.pathname);
      const known = await this.route(req, res, url, this);
      if (!known) sendJson(res, 404, errorBody(404, `${this.name} simulator has no route ${req.method} ${url.pathname}`));
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      sendJson(res, status, errorBody(status, err instanceof Error ? err.message : String(err)));
      // An oversized body may still be streaming in; do not keep reading it.
      if (status === 413) res.once('finish', () => req.destroy());
    }
  }

  private async admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const route = `${req.method} ${path}`;
    switch (route) {
      case 'GET /__sim/config':
        return sendJson(res, 200, this.snapshot());
      case 'POST /__sim/config': {
        const patch = validatePatch(this.initial, await readJson(req));
        const { refuse, ...rest } = patch;
        const config = await this.configure(rest as Partial<C>);
        if (refuse) {
          // Answer first: once refusing, this very connection would be destroyed.
          res.once('finish', () => void this.setListening(false));
          return sendJson(res, 200, { ...config, refuse: true });
        }
        return sendJson(res, 200, config);
      }
      case 'GET /__sim/events':
        return sendJson(res, 200, this.events());
      case 'DELETE /__sim/events': {
        const cleared = this.log.length;
        this.clearEvents();
        return sendJson(res, 200, { cleared });
      }
      case 'GET /__sim/stats':
        return sendJson(res, 200, this.stats());
      case 'POST /__sim/reset':
        await readJson(req);
        return sendJson(res, 200, await this.reset());
      default:
        return sendJson(res, 404, errorBody(404, `no admin route ${route}`));
    }
  }
}

/**
 * Sends a streamed answer: the first event now, the others spread so the last leaves at `endAt`
 * (performance.now() time), then `[DONE]`. A stalled reply sends its events and holds the
 * connection until the client leaves. Resolves with the request's outcome.
 */
async function streamEvents(res: ServerResponse, event: SimEvent, reply: StreamedReply, endAt: number, gone: AbortSignal): Promise<Outcome> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  // A stream that stalls before its first event still shows the client that it was accepted.
  res.flushHeaders();
  const { events, stallAfter } = reply;
  const startAt = performance.now();
  event.meta.chunks = 0;
  for (let i = 0; i < Math.min(events.length, stallAfter ?? Infinity); i++) {
    const at = events.length > 1 ? startAt + ((endAt - startAt) * i) / (events.length - 1) : endAt;
    await sleep(Math.max(0, at - performance.now()), undefined, { signal: gone }).catch(() => undefined);
    if (gone.aborted) return 'aborted';
    res.write(`data: ${JSON.stringify(events[i])}\n\n`);
    event.meta.chunks = i + 1;
  }
  if (stallAfter !== undefined) {
    event.meta.stalled = true;
    if (!gone.aborted) await once(gone, 'abort');
    return 'aborted';
  }
  res.end('data: [DONE]\n\n');
  return 'ok';
}

/** Starts a simulator server; `defaults` must hold every option (it also defines which options exist). */
export async function startSim<C extends FaultOptions>(
  name: string,
  defaults: C,
  options: Partial<C> & StartOptions,
  route: RouteFn<C>,
): Promise<SimHandle<C>> {
  const { port = 0, host = '127.0.0.1', ...rest } = options;
  const merged = { ...defaults, ...validatePatch(defaults, rest) } as C;
  const sim = new Simulator(name, merged, route, host);
  await sim.start(port);
  return {
    get url() {
      return sim.url;
    },
    get port() {
      return sim.stats().port;
    },
    close: () => sim.close(),
    configure: (partial) => sim.configure(partial),
    config: () => sim.snapshot(),
    refuse: () => sim.setListening(false),
    accept: () => sim.setListening(true),
    events: () => sim.events(),
    interrupts: () => sim.interrupts(),
    clearEvents: () => sim.clearEvents(),
    stats: () => sim.stats(),
    reset: () => sim.reset(),
  };
}
