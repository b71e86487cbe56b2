import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';

/**
 * How a GPT call ended: ok on its first try, retried (answered after a failed try), timed_out or
 * failed (given up: the last try timed out, or failed otherwise), cancelled (its generation no
 * longer needed it).
 */
export type GptCallOutcome = 'ok' | 'retried' | 'timed_out' | 'failed' | 'cancelled';

/** GPT calls: duration and outcome by model kind, and the tokens they used. */
@Injectable()
export class GptMetrics {
  private readonly duration: Histogram<'kind' | 'outcome'>;
  private readonly calls: Counter<'kind' | 'outcome'>;
  private readonly tokens: Counter<'kind' | 'part'>;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'inspilot_gpt_call_duration_seconds',
      help: 'GPT calls from the first try to the answer or the give-up, retries and their waits included, by kind (chat, vision) and outcome.',
      labelNames: ['kind', 'outcome'],
      buckets: [0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120],
      registers: [registry],
    });
    this.calls = new Counter({
      name: 'inspilot_gpt_calls_total',
      help: 'GPT calls by kind (chat, vision) and outcome (ok, retried, timed_out, failed, cancelled).',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    });
    this.tokens = new Counter({
      name: 'inspilot_gpt_tokens_total',
      help: 'Tokens of answered GPT calls, by kind (chat, vision) and part (prompt, completion).',
      labelNames: ['kind', 'part'],
      registers: [registry],
    });
  }

  called(kind: 'chat' | 'vision', outcome: GptCallOutcome, durationMs: number, tokens?: { prompt: number; completion: number }): void {
    this.duration.observe({ kind, outcome }, durationMs / 1000);
    this.calls.inc({ kind, outcome });
    if (!tokens) return;
    if (tokens.prompt) this.tokens.inc({ kind, part: 'prompt' }, tokens.prompt);
    if (tokens.completion) this.tokens.inc({ kind, part: 'completion' }, tokens.completion);
  }
}
