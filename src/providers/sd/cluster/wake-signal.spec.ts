import { WakeSignal } from './wake-signal';

describe('WakeSignal', () => {
  it('wakes sleepers when notified, and each after its timeout otherwise', async () => {
    const signal = new WakeSignal();
    const started = Date.now();
    const woken = signal.wait(5_000);
    signal.notify();
    await woken;
    expect(Date.now() - started).toBeLessThan(1_000);
    const slept = Date.now();
    await signal.wait(30);
    expect(Date.now() - slept).toBeGreaterThanOrEqual(25);
  });

  it('does not sleep through a change that arrived while the waiter was busy', async () => {
    const signal = new WakeSignal();
    const seen = signal.seen;
    signal.notify();
    const started = Date.now();
    await signal.wait(5_000, seen);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
