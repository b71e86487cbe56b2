/** What to do after a failed try: wait and try again, or stop (saying why when the budget decided). */
export type RetryDecision = { retry: true; waitMs: number } | { retry: false; why?: string };

export interface FailedTry {
  /** The try that failed, from 1. */
  attempt: number;
  retryable: boolean;
  /** What the server asked for (Retry-After), if anything. */
  retryAfterMs?: number;
}

export interface RetryLimits {
  maxAttempts: number;
  budgetMs: number;
  /** What is left of the step's budget now. */
  leftMs: number;
  /** The backoff before the next try, before any Retry-After. */
  backoffMs: number;
}

/**
 * Retries are bounded by tries and by the step's time budget: no try starts after the budget,
 * so a wait that would reach it ends the step now, saying so, instead of sleeping to fail.
 */
export function planRetry(failed: FailedTry, limits: RetryLimits): RetryDecision {
  if (!failed.retryable || failed.attempt >= limits.maxAttempts) return { retry: false };
  const waitMs = Math.max(limits.backoffMs, failed.retryAfterMs ?? 0);
  if (waitMs < limits.leftMs) return { retry: true, waitMs };
  if (failed.retryAfterMs !== undefined && failed.retryAfterMs >= limits.backoffMs) {
    return { retry: false, why: `the server asked to wait ${Math.round(failed.retryAfterMs)} ms, past the ${limits.budgetMs} ms step budget` };
  }
  return { retry: false, why: `the ${limits.budgetMs} ms step budget leaves no time for another try` };
}

/** Exponential backoff with jitter: base, 2 × base, 4 × base … each stretched by up to 2×. */
export function backoffMs(attempt: number, baseMs: number, random = Math.random()): number {
  return Math.round(baseMs * 2 ** (attempt - 1) * (1 + random));
}
