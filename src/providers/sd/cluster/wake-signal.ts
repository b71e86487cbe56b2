/**
 * Lets waiters sleep until something changed (a slot freed, an instance came back) or a timeout.
 * Changes are counted, so a waiter that was busy asking Redis when one arrived does not sleep
 * through it: it passes the count it saw before asking.
 */
export class WakeSignal {
  private changes = 0;
  private sleepers = new Set<() => void>();

  /** The changes so far; pass it to `wait` to wake at once if another arrived since. */
  get seen(): number {
    return this.changes;
  }

  wait(timeoutMs: number, seen = this.changes): Promise<void> {
    if (seen !== this.changes) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.sleepers.add(done);
    });
  }

  notify(): void {
    this.changes += 1;
    for (const wake of [...this.sleepers]) wake();
  }
}
