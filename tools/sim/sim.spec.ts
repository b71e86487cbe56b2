import { performance } from 'node:perf_hooks';
import { PNG } from 'pngjs';
import { startGptSim, type GptSimHandle } from './gpt';
import { readPngText } from './png';
import { SDXL_CHECKPOINT, startSdSim, type SdSimHandle } from './sd';

/** Both simulators over real HTTP on random ports, exactly as the app's e2e tests will use them. */

interface ChatCompletion {
  object: string;
  model: string;
  choices: Array<{ index: number; message: { role: string; content: string }; finish_reason: string }>;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

interface ChatChunk {
  object: string;
  model: string;
  choices: Array<{ index: number; delta: { role?: string; content?: string }; finish_reason: string | null }>;
  usage?: ChatCompletion['usage'] | null;
}

interface Txt2ImgResponse {
  images: string[];
  parameters: Record<string, unknown>;
  info: string;
}

let gpt: GptSimHandle;
let sd: SdSimHandle;

beforeAll(async () => {
  [gpt, sd] = await Promise.all([startGptSim(), startSdSim()]);
});

afterAll(async () => {
  await Promise.all([gpt.close(), sd.close()]);
});

beforeEach(async () => {
  await Promise.all([gpt.reset(), sd.reset()]);
});

function post(url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal });
}

function chat(content: unknown, path = '/v1/chat/completions', headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return post(`${gpt.url}${path}`, { model: 'gpt-4o', messages: [{ role: 'user', content }] }, headers, signal);
}

async function chatText(content: unknown): Promise<string> {
  const res = await chat(content);
  expect(res.status).toBe(200);
  return ((await res.json()) as ChatCompletion).choices[0].message.content;
}

function streamChat(content: unknown, options: { includeUsage?: boolean; path?: string; signal?: AbortSignal } = {}): Promise<Response> {
  return post(
    `${gpt.url}${options.path ?? '/v1/chat/completions'}`,
    { model: 'gpt-4o', messages: [{ role: 'user', content }], stream: true, ...(options.includeUsage ? { stream_options: { include_usage: true } } : {}) },
    {},
    options.signal,
  );
}

/** Reads server-sent events as they arrive: each `data:` payload with the time (performance.now()) it came. */
async function readEvents(response: Response, limit = Infinity): Promise<Array<{ data: string; at: number }>> {
  const events: Array<{ data: string; at: number }> = [];
  const decoder = new TextDecoder();
  let buffer = '';
  // A reader that is let go of, not cancelled: the connection stays open after `limit` events.
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (line.startsWith('data: ')) events.push({ data: line.slice('data: '.length), at: performance.now() });
    }
    if (events.length >= limit) break;
  }
  reader.releaseLock();
  return events;
}

/** The app's own normalisation (docs/pipelines.md): newlines → spaces, " ." → ".", trim, split on #, drop empties. */
function splitItems(text: string): string[] {
  return text
    .replace(/\n/g, ' ')
    .replace(/ \./g, '.')
    .trim()
    .split('#')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

async function eventuallyTrue(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

/** The cause code undici attaches to a failed fetch (ECONNREFUSED, ECONNRESET, …). */
async function fetchErrorCode(p: Promise<Response>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return cause?.code ?? 'UNKNOWN';
  }
  throw new Error('fetch unexpectedly succeeded');
}

describe('GPT simulator', () => {
  it('answers a count-phrase prompt with exactly N distinct #-separated short items', async () => {
    const prompt = '设计任务：设计一款运动辅助产品。请列出相关产品，恰好 6 项，每项不超过8个字，用#分隔，不要编号。';
    const res = await chat(prompt);
    const body = (await res.json()) as ChatCompletion;
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0]).toMatchObject({ index: 0, finish_reason: 'stop', message: { role: 'assistant' } });
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);

    const items = body.choices[0].message.content.split('#');
    expect(items).toHaveLength(6);
    expect(new Set(items).size).toBe(6);
    for (const item of items) expect(item.length).toBeLessThanOrEqual(8);
    // Deterministic: the same prompt gives the same answer.
    expect(await chatText(prompt)).toBe(body.choices[0].message.content);
  });

  it('handles large counts without duplicates and without spaces around the count', async () => {
    const items = (await chatText('使用场景，恰好24项，每项是一个地点')).split('#');
    expect(items).toHaveLength(24);
    expect(new Set(items).size).toBe(24);
  });

  it('writes English keyword prompts for SD requests, matching the scenes it is given', async () => {
    const text = await chatText('把以下场景翻译成英文的Stable Diffusion提示词：健身房#城市公园#游泳馆#卧室。恰好 4 项，用#分隔。');
    const items = text.split('#');
    expect(items).toHaveLength(4);
    expect(new Set(items).size).toBe(4);
    expect(items[0]).toMatch(/^modern gym interior, /);
    for (const item of items) {
      expect(item).not.toMatch(/["'\-\u4e00-\u9fff]/);
      const words = item.split(/[ ,]+/).filter(Boolean);
      expect(new Set(words).size).toBe(words.length);
    }
  });

  it('writes 20–50 character function statements when asked for them', async () => {
    const items = (await chatText('为每个产品写一句功能描述，20到50字，至少3个具体特征，恰好 5 项')).split('#');
    expect(items).toHaveLength(5);
    for (const item of items) {
      expect(item.length).toBeGreaterThanOrEqual(20);
      expect(item.length).toBeLessThanOrEqual(50);
    }
  });

  it('answers a single 5–8 character name when no count is given, counting image parts', async () => {
    const res = await chat([
      { type: 'text', text: '根据草图猜测这是什么产品，只回答5到8个字的名称' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${'A'.repeat(4 * 1024 * 1024)}` } },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
    ]);
    expect(res.status).toBe(200);
    const name = ((await res.json()) as ChatCompletion).choices[0].message.content;
    expect(name.length).toBeGreaterThanOrEqual(5);
    expect(name.length).toBeLessThanOrEqual(8);
    expect(name).not.toContain('#');
    expect(gpt.events()[0].meta).toMatchObject({ images: 2 });
  });

  it('serves the path without /v1 and the Azure deployment path, checking keys when required', async () => {
    await gpt.configure({ requireKey: 'k-123' });
    expect((await chat('你好', '/chat/completions', { authorization: 'Bearer k-123' })).status).toBe(200);

    const azure = '/openai/deployments/my-gpt4o/chat/completions?api-version=2024-06-01';
    const ok = await chat('恰好 3 项 产品', azure, { 'api-key': 'k-123' });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as ChatCompletion).choices[0].message.content.split('#')).toHaveLength(3);

    const denied = await chat('恰好 3 项 产品', azure, { 'api-key': 'wrong' });
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ error: { type: 'invalid_api_key' } });

    const [, azureOk, azureDenied] = gpt.events();
    expect(azureOk.meta).toMatchObject({ deployment: 'my-gpt4o', apiVersion: '2024-06-01' });
    expect(azureDenied.status).toBe(401);
  });

  it('failNext [429] fails exactly one request, then answers normally', async () => {
    await gpt.configure({ failNext: [429] });
    const first = await chat('恰好 2 项');
    expect(first.status).toBe(429);
    expect(await first.json()).toMatchObject({ error: { message: expect.any(String), type: 'rate_limit_exceeded', code: '429' } });
    expect((await chat('恰好 2 项')).status).toBe(200);
    expect(gpt.events().map((e) => e.status)).toEqual([429, 200]);
  });

  it('failNext 0 resets the connection without an answer', async () => {
    await gpt.configure({ failNext: [0] });
    expect(await fetchErrorCode(chat('恰好 2 项'))).not.toBe('UNKNOWN');
    expect(gpt.events()[0]).toMatchObject({ status: 0, outcome: 'reset' });
    expect((await chat('恰好 2 项')).status).toBe(200);
  });

  it('errorRate 1 always fails with errorStatus; 0 never does', async () => {
    await gpt.configure({ errorRate: 1, errorStatus: 503 });
    for (let i = 0; i < 5; i++) expect((await chat('恰好 2 项')).status).toBe(503);
    await gpt.configure({ errorRate: 0 });
    for (let i = 0; i < 5; i++) expect((await chat('恰好 2 项')).status).toBe(200);
  });

  it('shortNext / extraNext give wrong counts for the next list answers only', async () => {
    await gpt.configure({ shortNext: 1, shortBy: 2, extraNext: 1 });
    expect((await chatText('恰好 6 项')).split('#')).toHaveLength(4);
    expect((await chatText('恰好 6 项')).split('#')).toHaveLength(8);
    expect((await chatText('恰好 6 项')).split('#')).toHaveLength(6);
  });

  it('messy answers need the app normalisation but keep the count', async () => {
    await gpt.configure({ messy: true });
    const text = await chatText('产品清单，恰好 9 项');
    expect(text).toMatch(/\n/);
    expect(text.endsWith(' .')).toBe(true);
    expect(splitItems(text)).toHaveLength(9);
  });

  it('applies latency with a timer and records overlap in maxConcurrent and the sequence numbers', async () => {
    await gpt.configure({ latencyMs: 150 });
    const t0 = Date.now();
    await Promise.all([chat('恰好 2 项'), chat('恰好 3 项'), chat('恰好 4 项')]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(gpt.stats()).toMatchObject({ maxConcurrent: 3, inFlight: 0, requests: 3 });

    gpt.clearEvents();
    await gpt.configure({ latencyMs: 20 });
    await chat('恰好 2 项');
    await chat('恰好 2 项');
    const [a, b] = gpt.events();
    expect(a.endSeq).not.toBeNull();
    expect(a.endSeq as number).toBeLessThan(b.startSeq);
    expect(gpt.stats().maxConcurrent).toBe(1);
  });

  it('hang never answers; the client abort is recorded and nothing stays in flight', async () => {
    await gpt.configure({ hang: true });
    expect(await fetchErrorCode(chat('恰好 2 项', undefined, {}, AbortSignal.timeout(200)))).toBe('UNKNOWN');
    await new Promise((r) => setTimeout(r, 50));
    expect(gpt.stats().inFlight).toBe(0);
    expect(gpt.events()[0].outcome).toBe('aborted');
  });

  it('refuse() gives ECONNREFUSED and accept() listens again on the same port', async () => {
    const port = gpt.port;
    await gpt.refuse();
    expect(await fetchErrorCode(chat('恰好 2 项'))).toBe('ECONNREFUSED');
    expect(gpt.config().refuse).toBe(true);
    await gpt.accept();
    expect(gpt.port).toBe(port);
    expect((await chat('恰好 2 项')).status).toBe(200);
  });

  it('is configurable over HTTP and exposes events and stats', async () => {
    const set = await post(`${gpt.url}/__sim/config`, { latencyMs: 5, failNext: [500] });
    expect(await set.json()).toMatchObject({ latencyMs: 5, failNext: [500] });
    expect((await post(`${gpt.url}/__sim/config`, { latencyMS: 5 })).status).toBe(400);
    expect((await post(`${gpt.url}/__sim/config`, { hang: 'yes' })).status).toBe(400);
    expect((await chat('恰好 2 项')).status).toBe(500);

    const events = (await (await fetch(`${gpt.url}/__sim/events`)).json()) as Array<{ kind: string; status: number; prompt: string }>;
    expect(events).toEqual([expect.objectContaining({ kind: 'chat', status: 500, prompt: '恰好 2 项' })]);
    expect(await (await fetch(`${gpt.url}/__sim/stats`)).json()).toMatchObject({ requests: 1, inFlight: 0, listening: true });
    expect(await (await fetch(`${gpt.url}/__sim/events`, { method: 'DELETE' })).json()).toEqual({ cleared: 1 });
    expect(gpt.events()).toEqual([]);

    // Refusing over HTTP answers first, then stops listening.
    expect((await post(`${gpt.url}/__sim/config`, { refuse: true })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(await fetchErrorCode(fetch(`${gpt.url}/__sim/config`))).toBe('ECONNREFUSED');
    await gpt.accept();
  });

  describe('streaming', () => {
    const prompt = '设计任务：设计一款运动辅助产品。请列出相关产品，恰好 6 项，每项不超过8个字，用#分隔。';

    it('streams the same answer as chunks, then the finish reason, the usage when asked, and [DONE]', async () => {
      const plain = await chatText(prompt);
      const response = await streamChat(prompt, { includeUsage: true });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      const events = await readEvents(response);
      expect(events.at(-1)!.data).toBe('[DONE]');
      const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data) as ChatChunk);
      expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.model === 'gpt-4o')).toBe(true);
      expect(chunks[0].choices[0].delta.role).toBe('assistant');
      expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(plain);
      const usage = chunks.at(-1)!;
      expect(usage.choices).toEqual([]);
      expect(usage.usage!.total_tokens).toBe(usage.usage!.prompt_tokens + usage.usage!.completion_tokens);
      expect(chunks.at(-2)!.choices[0].finish_reason).toBe('stop');
      // Every chunk before the usage says it has none, as OpenAI's do.
      expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
      expect(gpt.events()[1]).toMatchObject({ outcome: 'ok', status: 200, meta: { stream: true, includeUsage: true, chunks: chunks.length } });
    });

    it('sends no usage chunk unless asked', async () => {
      const events = await readEvents(await streamChat(prompt));
      const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data) as ChatChunk);
      expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');
      expect(chunks.some((chunk) => 'usage' in chunk)).toBe(false);
    });

    it('sends the first chunk halfway through the latency and the last at its end', async () => {
      await gpt.configure({ latencyMs: 400 });
      const sent = performance.now();
      const events = await readEvents(await streamChat(prompt, { includeUsage: true }));
      expect(events.length).toBeGreaterThan(3);
      // Margins cover timer granularity only: the first chunk cannot come before half the latency…
      expect(events[0].at - sent).toBeGreaterThanOrEqual(195);
      expect(events[0].at - sent).toBeLessThan(events.at(-1)!.at - sent);
      // …and the answer is whole at the latency, as a non-streamed answer would be.
      const [event] = gpt.events();
      expect(event.end! - event.start).toBeGreaterThanOrEqual(399);
      expect(events.at(-1)!.at - sent).toBeGreaterThanOrEqual(399);
    });

    it('starts an Azure stream with a prompt-filter chunk that has no choices', async () => {
      const events = await readEvents(await streamChat(prompt, { path: '/openai/deployments/dep/chat/completions?api-version=2024-10-21' }));
      const first = JSON.parse(events[0].data) as ChatChunk & { prompt_filter_results: unknown[] };
      expect(first.choices).toEqual([]);
      expect(first.prompt_filter_results).toHaveLength(1);
      expect(JSON.parse(events[1].data)).toMatchObject({ object: 'chat.completion.chunk', choices: [{ delta: { role: 'assistant' } }] });
    });

    it('stallNext sends that many chunks, then holds the connection; the event log says so', async () => {
      await gpt.configure({ stallNext: [2] });
      const controller = new AbortController();
      const response = await streamChat(prompt, { signal: controller.signal });
      const events = await readEvents(response, 2);
      expect(events).toHaveLength(2);
      // Nothing more comes while the client waits.
      await new Promise((r) => setTimeout(r, 150));
      expect(gpt.events()[0]).toMatchObject({ outcome: 'pending', meta: { chunks: 2, stalled: true } });
      controller.abort();
      expect(await eventuallyTrue(() => gpt.events()[0].outcome === 'aborted')).toBe(true);
      expect(gpt.stats().inFlight).toBe(0);
      // One-shot: the next stream finishes.
      expect((await readEvents(await streamChat(prompt))).at(-1)!.data).toBe('[DONE]');
    });

    it('stallNext 0 answers the headers and no chunk; stallAfterChunks stalls every stream', async () => {
      await gpt.configure({ stallNext: [0], stallAfterChunks: 1 });
      const zero = await streamChat(prompt, { signal: AbortSignal.timeout(300) });
      expect(zero.status).toBe(200);
      await expect(readEvents(zero)).rejects.toThrow();
      for (let i = 0; i < 2; i++) {
        const controller = new AbortController();
        expect(await readEvents(await streamChat(prompt, { signal: controller.signal }), 1)).toHaveLength(1);
        controller.abort();
      }
      expect(await eventuallyTrue(() => gpt.events().every((event) => event.outcome === 'aborted'))).toBe(true);
      expect(gpt.events().map((event) => event.meta.chunks)).toEqual([0, 1, 1]);
    });

    it('hangNext hangs the next requests only; hangPromptContains hangs the prompts that contain it', async () => {
      await gpt.configure({ hangNext: 1, hangPromptContains: '挂起' });
      expect(await fetchErrorCode(chat('恰好 2 项', undefined, {}, AbortSignal.timeout(150)))).toBe('UNKNOWN');
      expect((await chat('恰好 2 项')).status).toBe(200);
      expect(await fetchErrorCode(chat('挂起 恰好 2 项', undefined, {}, AbortSignal.timeout(150)))).toBe('UNKNOWN');
      expect((await chat('恰好 3 项')).status).toBe(200);
      expect(await eventuallyTrue(() => gpt.stats().inFlight === 0)).toBe(true);
      expect(gpt.events().map((event) => event.outcome)).toEqual(['aborted', 'ok', 'aborted', 'ok']);
    });

    it('sends Retry-After with injected 429s when retryAfterMs is set', async () => {
      await gpt.configure({ failNext: [429, 500], retryAfterMs: 1500 });
      const limited = await streamChat(prompt);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after-ms')).toBe('1500');
      expect(limited.headers.get('retry-after')).toBe('2');
      const failed = await streamChat(prompt);
      expect(failed.status).toBe(500);
      expect(failed.headers.get('retry-after')).toBeNull();
    });

    it('nulChars puts a NUL in every item, streamed or not', async () => {
      await gpt.configure({ nulChars: true });
      const plain = await chatText(prompt);
      expect(plain.split('#').every((item) => item.includes('\u0000'))).toBe(true);
      const events = await readEvents(await streamChat(prompt));
      const streamed = events
        .slice(0, -1)
        .map((event) => (JSON.parse(event.data) as ChatChunk).choices[0]?.delta.content ?? '')
        .join('');
      expect(streamed).toBe(plain);
      await gpt.configure({ nulChars: false });
      expect(plain.replace(/\u0000/g, '')).toBe(await chatText(prompt));
    });
  });
});

describe('Stable Diffusion simulator', () => {
  const prototype = {
    prompt: '(((modern gym interior, morning light))), photorealistic, best quality',
    negative_prompt: 'worst quality, people',
    width: 1024,
    height: 576,
    steps: 30,
    cfg_scale: 5,
    sampler_name: 'DPM++ 2M SDE Karras',
    denoising_strength: 0.7,
    styles: ['photographic'],
    override_settings: { sd_model_checkpoint: SDXL_CHECKPOINT },
  };

  async function txt2img(body: Record<string, unknown>): Promise<Txt2ImgResponse> {
    const res = await post(`${sd.url}/sdapi/v1/txt2img`, body);
    expect(res.status).toBe(200);
    return (await res.json()) as Txt2ImgResponse;
  }

  it('txt2img returns a decodable PNG of the requested size with a parameters tEXt chunk', async () => {
    const out = await txt2img({ ...prototype, seed: 1234 });
    expect(out.images).toHaveLength(1);
    const bytes = Buffer.from(out.images[0], 'base64');
    const png = PNG.sync.read(bytes);
    expect([png.width, png.height]).toEqual([1024, 576]);
    expect(readPngText(bytes).parameters).toMatch(/^\(\(\(modern gym interior, morning light\)\)\)/);
    expect(readPngText(bytes).parameters).toContain('Seed: 1234, Size: 1024x576');

    const info = JSON.parse(out.info) as Record<string, unknown>;
    expect(info).toMatchObject({ seed: 1234, all_seeds: [1234], width: 1024, height: 576, steps: 30, cfg_scale: 5, sd_model_checkpoint: SDXL_CHECKPOINT });
    expect(out.parameters).toMatchObject({ prompt: prototype.prompt, styles: ['photographic'] });
    expect(sd.events()[0]).toMatchObject({ kind: 'txt2img', status: 200, meta: { width: 1024, height: 576 } });
  });

  it('defaults to 512×512, picks a seed for -1, and makes different prompts look different', async () => {
    const a = await txt2img({ prompt: 'quiet city park', seed: -1 });
    const b = await txt2img({ prompt: 'snowy ski slope', batch_size: 2 });
    const pa = PNG.sync.read(Buffer.from(a.images[0], 'base64'));
    const pb = PNG.sync.read(Buffer.from(b.images[0], 'base64'));
    expect([pa.width, pa.height]).toEqual([512, 512]);
    expect(b.images).toHaveLength(2);
    expect(pa.data.equals(pb.data)).toBe(false);
    const seed = (JSON.parse(a.info) as { seed: number }).seed;
    expect(seed).toBeGreaterThanOrEqual(0);
  });

  it('img2img takes init_images, tints by them and leaves them out of parameters', async () => {
    const init = Buffer.from(PNG.sync.write(new PNG({ width: 8, height: 8 }))).toString('base64');
    const plain = await txt2img({ prompt: 'white product shot', width: 64, height: 64, seed: 1 });
    const res = await post(`${sd.url}/sdapi/v1/img2img`, { prompt: 'white product shot', width: 64, height: 64, seed: 1, init_images: [init] });
    expect(res.status).toBe(200);
    const out = (await res.json()) as Txt2ImgResponse;
    expect(out.parameters).not.toHaveProperty('init_images');
    expect(out.images[0]).not.toBe(plain.images[0]);
    expect(sd.events()[1]).toMatchObject({ kind: 'img2img', meta: { initImages: 1 } });
    expect((await post(`${sd.url}/sdapi/v1/img2img`, { prompt: 'x' })).status).toBe(422);
  });

  it('does not serialise jobs: maxConcurrent counts overlapping requests, progress reports them', async () => {
    await sd.configure({ latencyMs: 300 });
    const jobs = [1, 2, 3].map((i) => txt2img({ prompt: `scene ${i}`, width: 64, height: 64 }));
    await new Promise((r) => setTimeout(r, 100));
    const progress = (await (await fetch(`${sd.url}/sdapi/v1/progress`)).json()) as { progress: number; state: { job_count: number }; current_image: null };
    expect(progress.state.job_count).toBe(3);
    expect(progress.progress).toBeGreaterThan(0);
    expect(progress.current_image).toBeNull();
    await Promise.all(jobs);
    expect(sd.stats()).toMatchObject({ maxConcurrent: 3, inFlight: 0 });
  });

  it('interrupt ends in-flight jobs early with an image', async () => {
    // Far longer than the test's time limit: the job can only finish because of the interrupt.
    await sd.configure({ latencyMs: 3_600_000 });
    const job = txt2img({ prompt: 'slow', width: 64, height: 64 });
    await new Promise((r) => setTimeout(r, 50));
    expect((await post(`${sd.url}/sdapi/v1/interrupt`, {})).status).toBe(200);
    expect((await job).images).toHaveLength(1);
    expect(sd.events().at(-1)).toMatchObject({ kind: 'txt2img', outcome: 'ok' });
  }, 20_000);

  it('serves options and the model list without latency, and refuses them too when refusing', async () => {
    await sd.configure({ latencyMs: 5_000, hang: true });
    const models = (await (await fetch(`${sd.url}/sdapi/v1/sd-models`)).json()) as Array<{ title: string; model_name: string; hash: string; filename: string }>;
    expect(models.map((m) => m.title)).toContain(SDXL_CHECKPOINT);
    expect(await (await fetch(`${sd.url}/sdapi/v1/options`)).json()).toMatchObject({ sd_model_checkpoint: SDXL_CHECKPOINT });
    expect((await post(`${sd.url}/sdapi/v1/options`, { sd_model_checkpoint: 'v1-5-pruned-emaonly.safetensors [6ce0161689]' })).status).toBe(200);
    expect(sd.config().checkpoint).toBe('v1-5-pruned-emaonly.safetensors [6ce0161689]');

    const port = sd.port;
    await sd.refuse();
    expect(await fetchErrorCode(fetch(`${sd.url}/sdapi/v1/options`))).toBe('ECONNREFUSED');
    await sd.accept();
    expect(sd.port).toBe(port);
    expect((await fetch(`${sd.url}/sdapi/v1/sd-models`)).status).toBe(200);
  });

  it('close() ends hung requests so the test process can exit', async () => {
    const extra = await startSdSim({ hang: true });
    const pending = fetchErrorCode(post(`${extra.url}/sdapi/v1/txt2img`, { prompt: 'never' }));
    await new Promise((r) => setTimeout(r, 50));
    expect(extra.stats().inFlight).toBe(1);
    await extra.close();
    expect(await pending).not.toBe('ECONNREFUSED');
    expect(extra.stats().inFlight).toBe(0);
    expect(extra.events()[0].outcome).toBe('aborted');
  });
});
