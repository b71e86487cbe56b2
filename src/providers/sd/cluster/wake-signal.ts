/** Lets waiters sleep until something changed (a slot freed, an instance came back) or a timeout. */
export class WakeSignal {
  private sleepers = new Set<() => void>();

  wait(timeoutMs: number): Promise<void> {
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
    for (const wake of [...this.sleepers]) wake();
  }
}
