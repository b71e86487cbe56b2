import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { ChatCompletionContentPart } from 'openai/resources/chat/completions';
import pLimit from 'p-limit';
import { AttemptFailure, CancelledError, ProviderError } from '../../common/errors';
import { gptConfig } from '../../config/gpt.config';
import { GptCallOutcome, GptMetrics } from '../../metrics/gpt.metrics';
import { gatherAnswer } from './answer-stream';
import { OPENAI_CLIENT } from './gpt-client.provider';
import { retryAfterMs } from './retry-after';
import { backoffMs, planRetry } from './retry-plan';
import { TryWatchdog } from './try-watchdog';

export interface GptCallOptions {
  /** The pipeline step, named in errors and records. */
  step: string;
  model?: string;
  temperature?: number;
  /** Gives the call up (and its retries) when the generation no longer needs it. */
  signal?: AbortSignal;
  /** Told of each failed try as it happens, so the record shows tries while the step still runs. */
  onFailedTry?: (failure: AttemptFailure) => void;
}

export interface TokenUsage {
  prompt: number;
  completion: number;
  total: number;
}

export interface GptAnswer {
  text: string;
  model: string;
  usage: TokenUsage;
}

/** Why one try failed, and what follows from it. */
interface TryFailure {
  reason: string;
  retryable: boolean;
  /** Decides the status of the step's failure: unreachable 503, too slow 504, refused 502. */
  kind: 'unreachable' | 'timeout' | 'refused';
  retryAfterMs?: number;
  cause?: unknown;
}

const RETRYABLE_STATUS = new Set([408, 409, 429]);
const STATUS_OF: Record<TryFailure['kind'], number> = { unreachable: 503, timeout: 504, refused: 502 };

function callOutcome(error: unknown): GptCallOutcome {
  if (error instanceof CancelledError) return 'cancelled';
  return error instanceof ProviderError && error.status === STATUS_OF.timeout ? 'timed_out' : 'failed';
}

/** "Connection error." says little; the system's code (ECONNREFUSED, ECONNRESET …) says what happened. */
function connectionReason(error: APIConnectionError): string {
  const code = (error.cause as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}

/**
 * The only code that speaks to OpenAI or Azure OpenAI. Answers stream, so a try that stalls
 * (no first token, a gap between chunks, too long in all) is given up in seconds and tried
 * again; tries are bounded by count and by the step's time budget, and a 429's Retry-After is
 * waited out. Limits calls in flight (the rest wait in arrival order) and never answers an
 * empty string.
 */
@Injectable()
export class GptService {
  private readonly logger = new Logger(GptService.name);
  private readonly limit: pLimit.Limit;

  constructor(
    @Inject(OPENAI_CLIENT) private readonly client: OpenAI,
    @Inject(gptConfig.KEY) private readonly config: ConfigType<typeof gptConfig>,
    private readonly metrics: GptMetrics,
  ) {
    this.limit = pLimit(config.concurrency);
  }

  chat(prompt: string, options: GptCallOptions): Promise<GptAnswer> {
    return this.measured('chat', prompt, options.model ?? this.config.chatModel, options);
  }

  /** A completion that also sees `images` (data URLs or http URLs), in order. */
  vision(prompt: string, images: string[], options: GptCallOptions): Promise<GptAnswer> {
    const content: ChatCompletionContentPart[] = [
      { type: 'text', text: prompt },
      ...images.map((url): ChatCompletionContentPart => ({ type: 'image_url', image_url: { url } })),
    ];
    return this.measured('vision', content, options.model ?? this.config.visionModel, options);
  }

  /** A call as the metrics see it: its whole time, tries and waits included, and how it ended. */
  private async measured(
    kind: 'chat' | 'vision',
    content: string | ChatCompletionContentPart[],
    model: string,
    options: GptCallOptions,
  ): Promise<GptAnswer> {
    const started = Date.now();
    let failedTries = 0;
    const counting: GptCallOptions = {
      ...options,
      onFailedTry: (failure) => {
        failedTries += 1;
        options.onFailedTry?.(failure);
      },
    };
    try {
      const answer = await this.complete(content, model, counting);
      this.metrics.called(kind, failedTries ? 'retried' : 'ok', Date.now() - started, answer.usage);
      return answer;
    } catch (error) {
      this.metrics.called(kind, callOutcome(error), Date.now() - started);
      throw error;
    }
  }

  /**
   * Tries until an answer, a failure a retry cannot fix, the last try, or the end of the step's
   * budget. Hand-written rather than p-retry: the budget must also cut the running try and
   * refuse a wait that would pass it, and a Retry-After replaces the backoff when longer.
   */
  private async complete(content: string | ChatCompletionContentPart[], model: string, options: GptCallOptions): Promise<GptAnswer> {
    const { stepBudgetMs, maxAttempts, retryBaseMs } = this.config;
    const failures: AttemptFailure[] = [];
    let budgetEnd: number | undefined;
    let last: TryFailure | undefined;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.inSlot(options, () => {
        // The budget starts with the first try, not with the wait for a slot.
        budgetEnd ??= Date.now() + stepBudgetMs;
        const leftMs = budgetEnd - Date.now();
        return leftMs > 0 ? this.tryOnce(content, model, options, leftMs) : Promise.resolve(undefined);
      });
      if (outcome === undefined) throw this.failed(options.step, model, failures, last!, `the ${stepBudgetMs} ms step budget ran out while waiting for a free slot`);
      if ('text' in outcome) return outcome;
      last = outcome;
      const failure = { attempt, reason: outcome.reason, at: new Date().toISOString() };
      failures.push(failure);
      options.onFailedTry?.(failure);
      this.logger.warn(`GPT step "${options.step}" try ${attempt} failed: ${outcome.reason}`);
      const decision = planRetry(
        { attempt, retryable: outcome.retryable, retryAfterMs: outcome.retryAfterMs },
        { maxAttempts, budgetMs: stepBudgetMs, leftMs: budgetEnd! - Date.now(), backoffMs: backoffMs(attempt, retryBaseMs) },
      );
      if (!decision.retry) throw this.failed(options.step, model, failures, outcome, decision.why);
      await this.pause(decision.waitMs, options);
    }
  }

  /** One streamed try, watched for a first token, gaps between chunks and its whole length. */
  private async tryOnce(
    content: string | ChatCompletionContentPart[],
    model: string,
    options: GptCallOptions,
    leftMs: number,
  ): Promise<GptAnswer | TryFailure> {
    const { timeoutMs, firstTokenTimeoutMs, idleTimeoutMs, stepBudgetMs } = this.config;
    const watchdog = new TryWatchdog(
      {
        firstTokenMs: firstTokenTimeoutMs,
        idleMs: idleTimeoutMs,
        limitMs: Math.min(timeoutMs, leftMs),
        limitReason: leftMs < timeoutMs ? `cut off at the end of the ${stepBudgetMs} ms step budget` : `timed out after ${timeoutMs} ms`,
      },
      options.signal,
    );
    let answering = false;
    try {
      const stream = await this.client.chat.completions.create(
        {
          model,
          messages: [{ role: 'user', content }],
          stream: true,
          // The usage comes in a last chunk of its own only when asked for.
          stream_options: { include_usage: true },
          ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
        },
        { signal: watchdog.signal },
      );
      answering = true;
      const answer = await gatherAnswer(stream, watchdog);
      // An aborted stream ends quietly instead of throwing.
      watchdog.signal.throwIfAborted();
      if (!answer.finished) return { reason: `the answer broke off after ${watchdog.received} chunks`, retryable: true, kind: 'unreachable' };
      // The database refuses NUL in strings, and no item of a list means one.
      const text = answer.text.replace(/\u0000/g, '').trim();
      if (!text) return { reason: 'the model returned an empty answer', retryable: true, kind: 'refused' };
      const usage = answer.usage;
      return {
        text,
        model: answer.model ?? model,
        usage: { prompt: usage?.prompt_tokens ?? 0, completion: usage?.completion_tokens ?? 0, total: usage?.total_tokens ?? 0 },
      };
    } catch (error) {
      if (options.signal?.aborted) throw new CancelledError(`GPT step "${options.step}"`);
      const timedOut = watchdog.timedOut;
      if (timedOut) return { reason: timedOut, retryable: true, kind: 'timeout', cause: error };
      return this.classify(error, answering ? watchdog.received : undefined);
    } finally {
      watchdog.stop();
    }
  }

  /** A failure the package reported; `chunks` is set once the server had begun to answer. */
  private classify(error: unknown, chunks: number | undefined): TryFailure {
    if (error instanceof APIConnectionTimeoutError) {
      return { reason: `timed out after ${this.config.timeoutMs} ms`, retryable: true, kind: 'timeout', cause: error };
    }
    if (error instanceof APIConnectionError) return { reason: connectionReason(error), retryable: true, kind: 'unreachable', cause: error };
    if (error instanceof APIError && typeof error.status === 'number') {
      // The package's messages start with the HTTP status.
      const retryable = RETRYABLE_STATUS.has(error.status) || error.status >= 500;
      return { reason: error.message, retryable, kind: 'refused', retryAfterMs: retryAfterMs(error.headers), cause: error };
    }
    // A connection cut or an error event in the middle of a stream.
    if (chunks !== undefined) {
      return { reason: `the answer broke off after ${chunks} chunks: ${(error as Error).message}`, retryable: true, kind: 'unreachable', cause: error };
    }
    throw error;
  }

  private failed(step: string, model: string, failures: AttemptFailure[], last: TryFailure, why?: string): ProviderError {
    const tries = `${failures.length} ${failures.length === 1 ? 'try' : 'tries'}`;
    return new ProviderError(
      `GPT step "${step}" (model ${model}) failed after ${tries}: ${last.reason}${why ? `; ${why}` : ''}`,
      'gpt',
      STATUS_OF[last.kind],
      { step, model, attempts: failures },
      { cause: last.cause },
    );
  }

  /**
   * Runs one try in a concurrency slot: the limit wraps each try, not the retries, so a call
   * waiting out its backoff holds no slot. A call given up while queued leaves at once.
   */
  private inSlot<T>(options: GptCallOptions, work: () => Promise<T>): Promise<T> {
    const { signal, step } = options;
    const cancelled = () => new CancelledError(`GPT step "${step}"`);
    if (signal?.aborted) return Promise.reject(cancelled());
    const queued = this.limit(() => (signal?.aborted ? Promise.reject(cancelled()) : work()));
    if (!signal) return queued;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(cancelled());
      signal.addEventListener('abort', onAbort, { once: true });
      queued.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private async pause(ms: number, { signal, step }: GptCallOptions): Promise<void> {
    try {
      await sleep(ms, undefined, { signal });
    } catch {
      throw new CancelledError(`GPT step "${step}"`);
    }
  }
}
