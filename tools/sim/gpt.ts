import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { FAULT_DEFAULTS, startSim, type FaultOptions, type SimHandle, type ModelReply, type StartOptions, type StreamedReply } from './core';
import { answerFor } from './gpt-text';
import { HttpError, isObject, readJson, type Json } from './http';

/** An OpenAI-compatible chat completions server (plain and Azure paths). */

export interface GptSimOptions extends FaultOptions {
  /** When non-empty, requests must carry this key (Bearer or api-key header) or get 401. */
  requireKey: string;
  /** The next N counted answers hold `shortBy` items fewer than asked (at least 1). */
  shortNext: number;
  shortBy: number;
  /** The next N counted answers hold 2 items more than asked. */
  extraNext: number;
  /** Separators with newlines and a trailing " ." (exercises the app's normalisation). */
  messy: boolean;
  /** Reported when the request names no model. */
  model: string;
  /** Every streamed answer sends this many chunks, then holds the connection without finishing (-1 = off). */
  stallAfterChunks: number;
  /** The next streamed answers stall after these many chunks, consumed in order (0 = headers, no chunk). */
  stallNext: number[];
  /** Answers carry NUL characters inside their items (a database refuses them in strings). */
  nulChars: boolean;
}

export const GPT_DEFAULTS: GptSimOptions = {
  ...FAULT_DEFAULTS,
  requireKey: '',
  shortNext: 0,
  shortBy: 1,
  extraNext: 0,
  messy: false,
  model: 'gpt-sim',
  stallAfterChunks: -1,
  stallNext: [],
  nulChars: false,
};

export type GptSimHandle = SimHandle<GptSimOptions>;

const CHAT_PATHS = new Set(['/v1/chat/completions', '/chat/completions']);
const AZURE_PATH = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/;

interface ParsedChat {
  model: string;
  prompt: string;
  images: number;
  messages: number;
  stream: boolean;
  includeUsage: boolean;
}

/** A streamed answer's text is cut into about this many characters a chunk… */
const CHUNK_CHARS = 8;
/** …and into no more chunks than this. */
const MAX_CHUNKS = 16;

/** Flattens message contents (string or text / image_url parts) into one text, counting images. */
function parseChat(body: Json, fallbackModel: string): ParsedChat {
  if (!isObject(body) || !Array.isArray(body.messages) || body.messages.length === 0) {
    throw new HttpError(400, "'messages' must be a non-empty array");
  }
  const texts: string[] = [];
  let images = 0;
  for (const message of body.messages) {
    if (!isObject(message)) throw new HttpError(400, 'each message must be an object');
    const content = message.content;
    if (typeof content === 'string') {
      texts.push(content);
    } else if (Array.isArray(content)) {
      for (const part of content) {
        if (!isObject(part)) continue;
        if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
        else if (part.type === 'image_url') images++;
      }
    }
  }
  return {
    model: typeof body.model === 'string' && body.model !== '' ? body.model : fallbackModel,
    prompt: texts.join('\n'),
    images,
    messages: body.messages.length,
    stream: body.stream === true,
    includeUsage: isObject(body.stream_options) && body.stream_options.include_usage === true,
  };
}

function presentedKey(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
  const azure = req.headers['api-key'];
  return typeof azure === 'string' ? azure : undefined;
}

/** Rough token estimate: CJK is about a token per character, other text about four characters per token. */
function tokens(text: string): number {
  const cjk = (text.match(/[\u3000-\u9fff\uff00-\uffef]/g) ?? []).length;
  return Math.max(1, cjk + Math.ceil((text.length - cjk) / 4));
}

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** A NUL inside every item, which a careful client strips before using or storing the text. */
function withNul(text: string): string {
  return text
    .split('#')
    .map((item) => `${item.slice(0, 1)}\u0000${item.slice(1)}`)
    .join('#');
}

/**
 * The chunks OpenAI streams for one answer: the text in pieces (the first with the role), a
 * chunk with the finish reason, and the usage when asked for. Azure first sends its prompt
 * filter results in a chunk without choices.
 */
function chunksOf(text: string, model: string, usage: Usage, options: { includeUsage: boolean; azure: boolean }): unknown[] {
  const characters = Array.from(text);
  const size = Math.max(CHUNK_CHARS, Math.ceil(characters.length / MAX_CHUNKS));
  const pieces: string[] = [];
  for (let at = 0; at < characters.length; at += size) pieces.push(characters.slice(at, at + size).join(''));
  const base = { id: `chatcmpl-sim${randomBytes(9).toString('hex')}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model };
  // With include_usage every chunk but the last carries `usage: null`.
  const noUsage = options.includeUsage ? { usage: null } : {};
  const chunk = (delta: object, finish: string | null) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...noUsage });
  return [
    ...(options.azure ? [{ id: '', object: '', created: 0, model: '', choices: [], prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] }] : []),
    ...pieces.map((content, index) => chunk(index === 0 ? { role: 'assistant', content } : { content }, null)),
    chunk({}, 'stop'),
    ...(options.includeUsage ? [{ ...base, choices: [], usage }] : []),
  ];
}

export function startGptSim(options: Partial<GptSimOptions> & StartOptions = {}): Promise<GptSimHandle> {
  return startSim<GptSimOptions>('GPT', GPT_DEFAULTS, options, async (req, res, url, ctx) => {
    const azure = AZURE_PATH.exec(url.pathname);
    if (req.method !== 'POST' || !(azure || CHAT_PATHS.has(url.pathname))) return false;
    const deployment = azure ? decodeURIComponent(azure[1]) : undefined;

    const chat = parseChat(await readJson(req), deployment ?? ctx.config.model);
    const meta: Record<string, unknown> = { model: chat.model, images: chat.images, messages: chat.messages };
    if (deployment) meta.deployment = deployment;
    if (azure) meta.apiVersion = url.searchParams.get('api-version');
    if (chat.stream) Object.assign(meta, { stream: true, includeUsage: chat.includeUsage });
    const job = { kind: 'chat' as const, prompt: chat.prompt, meta, stream: chat.stream };

    const required = ctx.config.requireKey;
    if (required && presentedKey(req) !== required) {
      ctx.reject(res, job, 401, 'Incorrect API key provided to the GPT simulator.');
      return true;
    }

    await ctx.runModel(res, job, (): ModelReply | StreamedReply => {
      const cfg = ctx.config;
      const counted = /恰好\s*\d+\s*项/.test(chat.prompt);
      // One-shot count faults are spent only on list answers, where they mean something.
      const short = counted && cfg.shortNext > 0;
      const extra = counted && !short && cfg.extraNext > 0;
      if (short) cfg.shortNext--;
      if (extra) cfg.extraNext--;
      const answer = answerFor(chat.prompt, {
        missing: short ? cfg.shortBy : 0,
        extra: extra ? 2 : 0,
        messy: cfg.messy,
      });
      meta.requested = answer.requested;
      meta.answered = answer.items.length;
      meta.listKind = answer.kind;
      const text = cfg.nulChars ? withNul(answer.text) : answer.text;
      const promptTokens = tokens(chat.prompt) + chat.images * 85;
      const completionTokens = tokens(answer.text);
      const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
      if (chat.stream) {
        const stallAfter = cfg.stallNext.length > 0 ? cfg.stallNext.shift() : cfg.stallAfterChunks >= 0 ? cfg.stallAfterChunks : undefined;
        return { events: chunksOf(text, chat.model, usage, { includeUsage: chat.includeUsage, azure: Boolean(azure) }), stallAfter };
      }
      return {
        status: 200,
        body: {
          id: `chatcmpl-sim${randomBytes(9).toString('hex')}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: chat.model,
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', logprobs: null }],
          usage,
        },
      };
    });
    return true;
  });
}
