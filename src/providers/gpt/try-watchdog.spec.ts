import { TryWatchdog } from './try-watchdog';

const limits = { firstTokenMs: 1000, idleMs: 300, limitMs: 5000, limitReason: 'timed out after 5000 ms' };

describe('TryWatchdog', () => {
  let watchdog: TryWatchdog;

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    watchdog.stop();
    jest.useRealTimers();
  });

  it('gives a try up when no token came within the first-token timeout, and not before', () => {
    watchdog = new TryWatchdog(limits);
    jest.advanceTimersByTime(999);
    expect(watchdog.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(watchdog.timedOut).toBe('no token within 1000 ms');
  });

  it('does not take chunks without text (a role, filter results) for the first token', () => {
    watchdog = new TryWatchdog(limits);
    jest.advanceTimersByTime(500);
    watchdog.chunk(false);
    watchdog.chunk(false);
    jest.advanceTimersByTime(500);
    expect(watchdog.timedOut).toBe('no token within 1000 ms');
  });

  it('once tokens flow, gives up after an idle gap, counting the chunks received', () => {
    watchdog = new TryWatchdog(limits);
    watchdog.chunk(false);
    watchdog.chunk(true);
    // Chunks closer than the idle timeout keep the try alive well past the first-token timeout.
    for (let i = 0; i < 10; i++) {
      jest.advanceTimersByTime(299);
      watchdog.chunk(true);
    }
    expect(watchdog.signal.aborted).toBe(false);
    jest.advanceTimersByTime(300);
    expect(watchdog.timedOut).toBe('answer stalled for 300 ms after 12 chunks');
  });

  it('gives up a try that keeps streaming past its whole limit', () => {
    watchdog = new TryWatchdog({ ...limits, limitMs: 2000, limitReason: 'cut off at the end of the 2000 ms step budget' });
    watchdog.chunk(true);
    for (let i = 0; i < 10; i++) {
      jest.advanceTimersByTime(200);
      watchdog.chunk(true);
    }
    expect(watchdog.timedOut).toBe('cut off at the end of the 2000 ms step budget');
  });

  it('aborts with the parent, which is no timeout of its own', () => {
    const parent = new AbortController();
    watchdog = new TryWatchdog(limits, parent.signal);
    parent.abort(new Error('generation over'));
    expect(watchdog.signal.aborted).toBe(true);
    expect(watchdog.signal.reason).toEqual(new Error('generation over'));
    expect(watchdog.timedOut).toBeUndefined();
  });

  it('stops its clocks and leaves the parent alone when stopped', () => {
    const parent = new AbortController();
    watchdog = new TryWatchdog(limits, parent.signal);
    watchdog.stop();
    jest.advanceTimersByTime(10_000);
    parent.abort();
    expect(watchdog.signal.aborted).toBe(false);
  });
});
