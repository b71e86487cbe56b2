import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { setMaxListeners } from 'node:events';
import { sdConfig } from '../../config/sd.config';
import type { SdInstance } from './sd-instance.state';
import { controlTimeoutMs } from './sd-stall.policy';
import { proveInstance } from './sd-instance.proof';
import { SdWebUiClient } from './sd-webui.client';

/**
 * Brings instances that were set aside back once they prove themselves (proveInstance): first
 * checked SD_RETRY_BACKOFF_MS after they were set aside, then every SD_PROBE_INTERVAL_MS.
 */
@Injectable()
export class SdInstanceProber implements OnModuleDestroy {
  private readonly watched = new Map<SdInstance, NodeJS.Timeout>();
  /** The progress each busy instance showed at its last probe. */
  private readonly lastProgress = new Map<SdInstance, string>();
  private readonly stopped = new AbortController();

  constructor(
    private readonly client: SdWebUiClient,
    @Inject(sdConfig.KEY) private readonly config: ConfigType<typeof sdConfig>,
  ) {
    // Every probe in flight listens to it: as many as there are instances.
    setMaxListeners(config.endpoints.length + 1, this.stopped.signal);
  }

  onModuleDestroy(): void {
    this.stopped.abort();
    for (const timer of this.watched.values()) clearTimeout(timer);
    this.watched.clear();
  }

  /** Probes `instance` until it proves itself, marks it healthy and calls `back`. Watching twice is watching once. */
  watch(instance: SdInstance, back: () => void): void {
    if (this.watched.has(instance) || this.stopped.signal.aborted) return;
    this.lastProgress.delete(instance);
    this.schedule(instance, this.config.retryBackoffMs, back);
  }

  private schedule(instance: SdInstance, delayMs: number, back: () => void): void {
    const timer = setTimeout(() => void this.probe(instance, back), delayMs);
    timer.unref();
    this.watched.set(instance, timer);
  }

  private async probe(instance: SdInstance, back: () => void): Promise<void> {
    const proved = await this.proves(instance);
    if (this.stopped.signal.aborted) return;
    if (!proved) return this.schedule(instance, this.config.probeIntervalMs, back);
    this.watched.delete(instance);
    instance.recovered();
    back();
  }

  private async proves(instance: SdInstance): Promise<boolean> {
    const proof = await proveInstance(
      this.client,
      {
        url: instance.url,
        lastMarker: this.lastProgress.get(instance),
        takeSlot: () => {
          if (!instance.hasFreeSlot) return false;
          instance.running += 1;
          return true;
        },
        releaseSlot: () => {
          instance.running -= 1;
        },
        setAside: (reason, error) => instance.setAside(reason, error),
        probing: () => instance.probing(),
      },
      { timeoutMs: controlTimeoutMs(this.config), signal: this.stopped.signal },
    );
    if (!proof.proved && proof.marker !== undefined) this.lastProgress.set(instance, proof.marker);
    else this.lastProgress.delete(instance);
    return proof.proved;
  }
}
