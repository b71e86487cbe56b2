import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ClusterNode } from '../../../cluster/cluster-node.service';
import { sdConfig } from '../../../config/sd.config';
import type { SetAsideReason } from '../sd-instance.state';
import { RecentDurations, RECENT_IMAGES } from '../sd-stall.policy';
import type { SdInstanceDetailsDto, SdInstanceState, SdInstanceStatusDto } from '../sd-status.dto';
import { sdKeys } from './sd-cluster.keys';
import { poolRedis, type PoolRedis } from './sd-cluster.redis';

/** An instance of SD_ENDPOINTS, named as the local pool names it. */
export interface PoolInstance {
  name: string;
  url: string;
}

/** How an instance stands in Redis. */
interface HealthFields {
  state?: 'healthy' | SetAsideReason | 'probing';
  lastError?: string;
  done?: string;
  failed?: string;
  marker?: string;
}

function durations(values: string[]): RecentDurations {
  const recent = new RecentDurations();
  for (const value of values.reverse()) recent.add(Number(value));
  return recent;
}

/**
 * Each instance's health, totals and recent image times, kept in Redis so that one node seeing
 * an instance stall or fail sets it aside for all, every node measures stalls against the same
 * history, and every node's /sd/status shows the same pool.
 */
@Injectable()
export class SdSharedHealth {
  readonly instances: PoolInstance[];

  constructor(
    private readonly node: ClusterNode,
    @Inject(sdConfig.KEY) private readonly config: ConfigType<typeof sdConfig>,
  ) {
    this.instances = config.endpoints.map((url, index) => ({ name: `sd-${index + 1}`, url }));
  }

  private get redis(): PoolRedis {
    return poolRedis(this.node.redis!);
  }

  /** Sets `url` aside for every node; true when it was healthy until now. */
  async setAside(url: string, reason: SetAsideReason, error: string): Promise<boolean> {
    return (await this.redis.sdSetAside(sdKeys.health(url), reason, error, this.config.retryBackoffMs)) === 1;
  }

  async probing(url: string): Promise<void> {
    await this.redis.hset(sdKeys.health(url), 'state', 'probing');
  }

  /** Proved again: it takes images, and the images waiting for a slot look again at once. */
  async recovered(url: string): Promise<void> {
    await this.redis.multi().hset(sdKeys.health(url), 'state', 'healthy').hdel(sdKeys.health(url), 'nextProbeAt', 'marker').publish(sdKeys.wakeChannel, '1').exec();
  }

  async noteError(url: string, error: string): Promise<void> {
    await this.redis.hset(sdKeys.health(url), 'lastError', error);
  }

  /** A try that failed or stalled, counted once against its instance. */
  async failedOnce(url: string): Promise<void> {
    await this.redis.hincrby(sdKeys.health(url), 'failed', 1);
  }

  async succeeded(url: string, durationMs: number): Promise<void> {
    await this.redis
      .multi()
      .hincrby(sdKeys.health(url), 'done', 1)
      .lpush(sdKeys.durations(url), durationMs)
      .ltrim(sdKeys.durations(url), 0, RECENT_IMAGES - 1)
      .lpush(sdKeys.poolDurations, durationMs)
      .ltrim(sdKeys.poolDurations, 0, RECENT_IMAGES - 1)
      .exec();
  }

  /** The recent image times of `url` and of the pool, for its stall threshold. */
  async history(url: string): Promise<{ instance: RecentDurations; pool: RecentDurations }> {
    const [instance, pool] = await Promise.all([this.redis.lrange(sdKeys.durations(url), 0, -1), this.redis.lrange(sdKeys.poolDurations, 0, -1)]);
    return { instance: durations(instance), pool: durations(pool) };
  }

  /** The progress marker the previous probe saw, if the instance was busy then. */
  async lastMarker(url: string): Promise<string | undefined> {
    return (await this.redis.hget(sdKeys.health(url), 'marker')) ?? undefined;
  }

  /** `sd-1 stalled, sd-2 failing, …`, for the message of an image no instance could take. */
  async states(): Promise<string> {
    const states = await Promise.all(this.instances.map(async (instance) => `${instance.name} ${(await this.redis.hget(sdKeys.health(instance.url), 'state')) ?? 'healthy'}`));
    return states.join(', ');
  }

  /** An instance as /sd/status shows it; `running` counts the leases on it (a probe image's included). */
  async status(instance: PoolInstance, running: number, detailed: boolean): Promise<SdInstanceStatusDto | SdInstanceDetailsDto> {
    const [fields, recent] = await Promise.all([
      this.redis.hgetall(sdKeys.health(instance.url)) as Promise<HealthFields>,
      this.redis.lrange(sdKeys.durations(instance.url), 0, -1),
    ]);
    const health = fields.state ?? 'healthy';
    const state: SdInstanceState = health !== 'healthy' ? health : running > 0 ? 'busy' : 'idle';
    const status: SdInstanceStatusDto = {
      name: instance.name,
      healthy: health === 'healthy',
      state,
      running,
      done: Number(fields.done ?? 0),
      failed: Number(fields.failed ?? 0),
      p95Ms: durations(recent).p95(),
    };
    return detailed ? { ...status, url: instance.url, lastError: fields.lastError ?? null } : status;
  }
}
