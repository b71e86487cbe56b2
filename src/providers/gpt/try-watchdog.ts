/** A try given up by its own clock; the message is the reason the record shows. */
export class TryTimeout extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'TryTimeout';
  }
}

export interface TryLimits {
  /** Longest wait for the first token after the try starts. */
  firstTokenMs: number;
  /** Longest gap between chunks once tokens flow. */
  idleMs: number;
  /** The whole try's limit, and what to say when it passes. */
  limitMs: number;
  limitReason: string;
}

/**
 * Watches one streamed try: no token within `firstTokenMs` of its start, no chunk for `idleMs`
 * once tokens flow, or past `limitMs` in all, and `signal` aborts with a TryTimeout saying
 * which. It also aborts when `parent` does, with the parent's reason.
 */
export class TryWatchdog {
  private readonly controller = new AbortController();
  readonly signal = this.controller.signal;
  private chunks = 0;
  /** The first-token timer, then (once tokens flow) the idle timer. */
  private readonly quiet: NodeJS.Timeout;
  private idle?: NodeJS.Timeout;
  private readonly whole: NodeJS.Timeout;
  private readonly onParentAbort = () => this.controller.abort(this.parent?.reason);

  constructor(
    private readonly limits: TryLimits,
    private readonly parent?: AbortSignal,
  ) {
    this.whole = setTimeout(() => this.expire(limits.limitReason), limits.limitMs);
    this.quiet = setTimeout(() => this.expire(`no token within ${limits.firstTokenMs} ms`), limits.firstTokenMs);
    if (parent?.aborted) this.onParentAbort();
    else parent?.addEventListener('abort', this.onParentAbort, { once: true });
  }

  /**
   * A chunk arrived; `token` when it carries text or ends the answer. Chunks before the first
   * token (a role, Azure's filter results) count but do not start the idle clock.
   */
  chunk(token: boolean): void {
    this.chunks++;
    if (this.idle) {
      this.idle.refresh();
    } else if (token) {
      clearTimeout(this.quiet);
      this.idle = setTimeout(() => this.expire(`answer stalled for ${this.limits.idleMs} ms after ${this.chunks} chunks`), this.limits.idleMs);
    }
  }

  /** Chunks received so far. */
  get received(): number {
    return this.chunks;
  }

  /** Why the try was given up by its clock, if it was. */
  get timedOut(): string | undefined {
    return this.signal.reason instanceof TryTimeout ? this.signal.reason.message : undefined;
  }

  stop(): void {
    clearTimeout(this.quiet);
    clearTimeout(this.idle);
    clearTimeout(this.whole);
    this.parent?.removeEventListener('abort', this.onParentAbort);
  }

  private expire(reason: string): void {
    if (!this.signal.aborted) this.controller.abort(new TryTimeout(reason));
  }
}
