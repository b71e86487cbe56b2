import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { setMaxListeners } from 'node:events';
import { sdConfig } from '../../config/sd.config';
import type { SdInstance } from './sd-instance.state';
import { controlTimeoutMs } from './sd-stall.policy';
import { SdWebUiClient, WebUiProgress } from './sd-webui.client';
import type { WebUiError } from './sd-webui.error';

/**
 * Brings instances that were set aside back once they prove themselves: first checked
 * SD_RETRY_BACKOFF_MS after they were set aside, then every SD_PROBE_INTERVAL_MS. Answering
 * HTTP is not proof: the instance must be idle by its progress, then make a tiny image in time.
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
    const options = { timeoutMs: controlTimeoutMs(this.config), signal: this.stopped.signal };
    let progress: WebUiProgress;
    try {
      progress = await this.client.progress(instance.url, options);
    } catch (error) {
      instance.setAside('failing', `progress: ${(error as Error).message}`);
      return false;
    }
    if (progress.busy || !instance.hasFreeSlot) {
      // No test job piled onto a busy instance; a job that has not moved since the last look is stuck.
      if (progress.busy && this.lastProgress.get(instance) === progress.marker) instance.setAside('stalled', 'a job makes no progress');
      this.lastProgress.set(instance, progress.marker);
      return false;
    }
    this.lastProgress.delete(instance);
    instance.running += 1;
    instance.probing();
    try {
      await this.client.probe(instance.url, options);
      return true;
    } catch (error) {
      const failure = error as WebUiError;
      instance.setAside(failure.timedOut ? 'stalled' : 'failing', `probe image: ${failure.message}`);
      // The tiny job may still hold the GPU: stop it before the slot counts as free again.
      if (failure.timedOut) await this.client.interrupt(instance.url, options).catch(() => undefined);
      return false;
    } finally {
      instance.running -= 1;
    }
  }
}
