import { backoffMs, planRetry } from './retry-plan';

const limits = { maxAttempts: 4, budgetMs: 5000, leftMs: 3000, backoffMs: 100 };

describe('planRetry', () => {
  it('waits the backoff when the server asks for nothing or for less', () => {
    expect(planRetry({ attempt: 1, retryable: true }, limits)).toEqual({ retry: true, waitMs: 100 });
    expect(planRetry({ attempt: 1, retryable: true, retryAfterMs: 40 }, limits)).toEqual({ retry: true, waitMs: 100 });
  });

  it('waits out a longer Retry-After', () => {
    expect(planRetry({ attempt: 2, retryable: true, retryAfterMs: 1200 }, limits)).toEqual({ retry: true, waitMs: 1200 });
  });

  it('stops without a budget reason when the failure is not retryable or the tries are spent', () => {
    expect(planRetry({ attempt: 1, retryable: false }, limits)).toEqual({ retry: false });
    expect(planRetry({ attempt: 4, retryable: true }, limits)).toEqual({ retry: false });
  });

  it('stops at once when Retry-After reaches past the budget, saying so', () => {
    const decision = planRetry({ attempt: 1, retryable: true, retryAfterMs: 3000 }, limits);
    expect(decision).toEqual({ retry: false, why: 'the server asked to wait 3000 ms, past the 5000 ms step budget' });
  });

  it('stops when even the backoff would reach the end of the budget', () => {
    expect(planRetry({ attempt: 3, retryable: true }, { ...limits, leftMs: 100 })).toEqual({
      retry: false,
      why: 'the 5000 ms step budget leaves no time for another try',
    });
  });
});

describe('backoffMs', () => {
  it('doubles with each try and stretches by the jitter', () => {
    expect([1, 2, 3].map((attempt) => backoffMs(attempt, 1000, 0))).toEqual([1000, 2000, 4000]);
    expect(backoffMs(2, 1000, 0.5)).toBe(3000);
    expect(backoffMs(1, 0, 0.9)).toBe(0);
  });
});
