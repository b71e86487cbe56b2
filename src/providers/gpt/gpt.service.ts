import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import OpenAI, { APIConnectionError, APIError } from 'openai';
import type { ChatCompletionContentPart } from 'openai/resources/chat/completions';
import pLimit from 'p-limit';
import pRetry, { AbortError } from 'p-retry';
import { AttemptFailure, CancelledError, ProviderError } from '../../common/errors';
import { gptConfig } from '../../config/gpt.config';
import { OPENAI_CLIENT } from './gpt-client.provider';

export interface GptCallOptions {
  /** The pipeline step, named in errors and records. */
  step: string;
  model?: string;
  temperature?: number;
  /** Gives the call up (and its retries) when the generation no longer needs it. */
  signal?: AbortSignal;
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
  /** The failed tries before this answer. */
  failures: AttemptFailure[];
}

const RETRYABLE_STATUS = new Set([408, 409, 429]);

function isRetryable(error: unknown): boolean {
  if (error instanceof APIConnectionError) return true; // refused, reset, timed out
  if (error instanceof APIError && typeof error.status === 'number') {
    return RETRYABLE_STATUS.has(error.status) || error.status >= 500;
  }
  return error instanceof EmptyAnswerError;
}

class EmptyAnswerError extends Error {
  constructor() {
    super('the model returned an empty answer');
  }
}

/** The package's messages already start with the HTTP status. */
function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The only code that speaks to OpenAI or Azure OpenAI. Limits calls in flight (the rest
 * wait in arrival order), retries what a retry can fix, and never answers an empty string.
 */
@Injectable()
export class GptService {
  private readonly logger = new Logger(GptService.name);
  private readonly limit: pLimit.Limit;

  constructor(
    @Inject(OPENAI_CLIENT) private readonly client: OpenAI,
    @Inject(gptConfig.KEY) private readonly config: ConfigType<typeof gptConfig>,
  ) {
    this.limit = pLimit(config.concurrency);
  }

  chat(prompt: string, options: GptCallOptions): Promise<GptAnswer> {
    return this.complete(prompt, options.model ?? this.config.chatModel, options);
  }

  /** A completion that also sees `images` (data URLs or http URLs), in order. */
  vision(prompt: string, images: string[], options: GptCallOptions): Promise<GptAnswer> {
    const content: ChatCompletionContentPart[] = [
      { type: 'text', text: prompt },
      ...images.map((url): ChatCompletionContentPart => ({ type: 'image_url', image_url: { url } })),
    ];
    return this.complete(content, options.model ?? this.config.visionModel, options);
  }

  private complete(content: string | ChatCompletionContentPart[], model: string, options: GptCallOptions): Promise<GptAnswer> {
    const failures: AttemptFailure[] = [];
    const once = async (): Promise<GptAnswer> => {
      if (options.signal?.aborted) throw new AbortError(new CancelledError(`GPT step "${options.step}"`));
      const started = Date.now();
      try {
        const completion = await this.client.chat.completions.create(
          {
            model,
            messages: [{ role: 'user', content }],
            ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
          },
          { signal: options.signal },
        );
        const text = completion.choices[0]?.message?.content?.trim() ?? '';
        if (!text) throw new EmptyAnswerError();
        const usage = completion.usage;
        return {
          text,
          model: completion.model || model,
          usage: { prompt: usage?.prompt_tokens ?? 0, completion: usage?.completion_tokens ?? 0, total: usage?.total_tokens ?? 0 },
          failures,
        };
      } catch (error) {
        if (options.signal?.aborted) throw new AbortError(new CancelledError(`GPT step "${options.step}"`));
        // Say "timed out" ourselves: the package's own timeout error can reach us as a bare connection error.
        const timedOut = error instanceof APIConnectionError && Date.now() - started >= this.config.timeoutMs;
        const reason = timedOut ? `timed out after ${this.config.timeoutMs} ms` : reasonOf(error);
        failures.push({ attempt: failures.length + 1, reason, at: new Date().toISOString() });
        throw isRetryable(error) ? error : new AbortError(error as Error);
      }
    };
    // The limit wraps each try, not the retries: a call waiting out its backoff holds no slot.
    return pRetry(() => this.limit(once), {
      retries: this.config.maxAttempts - 1,
      minTimeout: this.config.retryBaseMs,
      factor: 2,
      randomize: true,
      onFailedAttempt: (error) =>
        this.logger.warn(`GPT step "${options.step}" try ${error.attemptNumber} failed: ${error.message}`),
    }).catch((error: unknown) => {
      if (error instanceof CancelledError) throw error;
      const last = failures[failures.length - 1]?.reason ?? reasonOf(error);
      const cause = (error as { originalError?: unknown }).originalError ?? error;
      const unreachable = cause instanceof APIConnectionError;
      throw new ProviderError(
        `GPT step "${options.step}" (model ${model}) failed after ${failures.length} ${failures.length === 1 ? 'try' : 'tries'}: ${last}`,
        'gpt',
        unreachable ? 503 : 502,
        { step: options.step, model, attempts: failures },
        { cause },
      );
    });
  }
}
