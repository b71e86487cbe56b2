import { RecentDurations } from './sd-stall.policy';
import type { SdInstanceDetailsDto, SdInstanceState, SdInstanceStatusDto } from './sd-status.dto';

/** Why an instance is not given new jobs. */
export type SetAsideReason = 'stalled' | 'failing';

/** One WebUI instance as the pool sees it: its slots, health, recent image times and totals. */
export class SdInstance {
  running = 0;
  done = 0;
  failed = 0;
  lastError: string | null = null;
  readonly history = new RecentDurations();
  private health: 'healthy' | SetAsideReason | 'probing' = 'healthy';

  constructor(
    readonly name: string,
    readonly url: string,
    private readonly slots: number,
  ) {}

  get healthy(): boolean {
    return this.health === 'healthy';
  }

  get hasFreeSlot(): boolean {
    return this.running < this.slots;
  }

  /** Can take a job now. */
  get free(): boolean {
    return this.healthy && this.hasFreeSlot;
  }

  get state(): SdInstanceState {
    if (this.health !== 'healthy') return this.health;
    return this.running > 0 ? 'busy' : 'idle';
  }

  setAside(reason: SetAsideReason, error: string): void {
    this.health = reason;
    this.lastError = error;
  }

  probing(): void {
    this.health = 'probing';
  }

  recovered(): void {
    this.health = 'healthy';
  }

  succeeded(durationMs: number): void {
    this.done += 1;
    this.history.add(durationMs);
  }

  status(detailed: boolean): SdInstanceStatusDto | SdInstanceDetailsDto {
    const status: SdInstanceStatusDto = {
      name: this.name,
      healthy: this.healthy,
      state: this.state,
      running: this.running,
      done: this.done,
      failed: this.failed,
      p95Ms: this.history.p95(),
    };
    return detailed ? { ...status, url: this.url, lastError: this.lastError } : status;
  }
}
