import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ClusterNode } from '../../../cluster/cluster-node.service';
import { sdConfig } from '../../../config/sd.config';
import { proveInstance } from '../sd-instance.proof';
import { controlTimeoutMs } from '../sd-stall.policy';
import { SdWebUiClient } from '../sd-webui.client';
import { sdKeys } from './sd-cluster.keys';
import { poolRedis } from './sd-cluster.redis';
import { probeLockMs, probeTickMs } from './lease-timing';
import { SdSharedHealth, type PoolInstance } from './sd-shared-health';
import { SdSlotLeases } from './sd-slot-leases';

/**
 * Brings instances that any node set aside back once they prove themselves (proveInstance),
 * first SD_RETRY_BACKOFF_MS after they were set aside, then every SD_PROBE_INTERVAL_MS. Every
 * node looks for due probes; a short lock in Redis lets one node at a time probe an instance.
 */
@Injectable()
export class SdClusterProber {
  private readonly logger = new Logger(SdClusterProber.name);
  private timer?: NodeJS.Timeout;
  private readonly probing = new Set<string>();
  private readonly stopped = new AbortController();

  constructor(
    private readonly node: ClusterNode,
    private readonly client: SdWebUiClient,
    private readonly health: SdSharedHealth,
    private readonly leases: SdSlotLeases,
    @Inject(sdConfig.KEY) private readonly config: ConfigType<typeof sdConfig>,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), probeTickMs(this.config.probeIntervalMs, this.config.retryBackoffMs));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.stopped.abort();
  }

  private tick(): void {
    for (const instance of this.health.instances) {
      if (this.probing.has(instance.url)) continue;
      this.probing.add(instance.url);
      void this.probe(instance)
        .catch(() => undefined) // Redis unreachable: the next tick tries again
        .finally(() => this.probing.delete(instance.url));
    }
  }

  private async probe(instance: PoolInstance): Promise<void> {
    const redis = poolRedis(this.node.redis!);
    const options = { timeoutMs: controlTimeoutMs(this.config), signal: this.stopped.signal };
    const lock = sdKeys.probe(instance.url);
    if ((await redis.sdClaimProbe(sdKeys.health(instance.url), lock, this.node.id, probeLockMs(options.timeoutMs))) !== 1) return;
    let slot: string | null = null;
    const proof = await proveInstance(
      this.client,
      {
        url: instance.url,
        lastMarker: await this.health.lastMarker(instance.url),
        takeSlot: async () => (slot = await this.leases.takeSlot(instance.url, this.leases.token(`probe-${instance.name}`))) !== null,
        releaseSlot: async () => {
          if (slot) await this.leases.release(slot).catch(() => undefined);
        },
        setAside: async (reason, error) => void (await this.health.setAside(instance.url, reason, error)),
        probing: () => this.health.probing(instance.url),
      },
      options,
    );
    if (this.stopped.signal.aborted) return;
    if (proof.proved) {
      await this.health.recovered(instance.url);
      await redis.del(lock);
      this.logger.log(`Stable Diffusion instance ${instance.name} (${instance.url}) is healthy again`);
    } else {
      await redis.sdProbeAgain(sdKeys.health(instance.url), lock, this.config.probeIntervalMs, proof.marker ?? '');
    }
  }
}
