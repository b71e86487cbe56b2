import type { SdInstanceStatus } from './sd.types';

/** One WebUI instance as the pool sees it: its free slots, health and running totals. */
export class SdInstance {
  healthy = true;
  running = 0;
  done = 0;
  failed = 0;
  lastError: string | null = null;
  probe?: NodeJS.Timeout;
  private totalMs = 0;

  constructor(
    readonly url: string,
    private readonly slots: number,
  ) {}

  get free(): boolean {
    return this.healthy && this.running < this.slots;
  }

  succeeded(durationMs: number): void {
    this.done += 1;
    this.totalMs += durationMs;
  }

  status(): SdInstanceStatus {
    return {
      url: this.url,
      healthy: this.healthy,
      busy: this.running >= this.slots,
      running: this.running,
      done: this.done,
      failed: this.failed,
      meanMs: this.done ? Math.round(this.totalMs / this.done) : null,
      lastError: this.lastError,
    };
  }
}
