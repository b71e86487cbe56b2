import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ClusterNode } from '../../../cluster/cluster-node.service';
import { redisConfig } from '../../../config/redis.config';
import { sdConfig } from '../../../config/sd.config';
import { renewEveryMs } from './lease-timing';
import { PREFIX, sdKeys } from './sd-cluster.keys';
import { poolRedis, type PoolRedis } from './sd-cluster.redis';

/** A slot granted to an image: which instance (index in SD_ENDPOINTS) and the lease that holds it. */
export interface Grant {
  index: number;
  key: string;
  token: string;
}

/** An answer to a waiting image: a slot, or not yet (and how many instances are healthy). */
export type AcquireAnswer = { granted: true; grant: Grant; healthy: number } | { granted: false; healthy: number };

/**
 * The slots of every WebUI instance, shared by all nodes: at most SD_SLOTS_PER_INSTANCE leases
 * per instance, each a Redis key that expires unless its holder renews it. A node that dies
 * stops renewing, so an instance whose image may still be running is not handed another until
 * the lease has run out. Also remembers which leases this node holds, to renew them.
 */
@Injectable()
export class SdSlotLeases {
  /** Leases this node holds: key → token. */
  private readonly held = new Map<string, string>();
  private counter = 0;

  constructor(
    private readonly node: ClusterNode,
    @Inject(sdConfig.KEY) private readonly sd: ConfigType<typeof sdConfig>,
    @Inject(redisConfig.KEY) private readonly config: ConfigType<typeof redisConfig>,
  ) {}

  private get redis(): PoolRedis {
    return poolRedis(this.node.redis!);
  }

  /** Marks this Redis as holding the pool's state (see the settle time in ACQUIRE). */
  async markEpoch(): Promise<void> {
    await this.redis.set(sdKeys.epoch, '1', 'NX');
  }

  /** A token naming this node and the job, unique per lease. */
  token(jobId: string): string {
    return `${this.node.id}|${jobId}|${++this.counter}`;
  }

  /**
   * Takes a slot for the waiter `waiterId` (score = the image's arrival) if it is among the
   * earliest waiters there are free slots for; otherwise keeps its place in line.
   */
  async acquire(waiterId: string, score: number, token: string, avoid: ReadonlySet<string>): Promise<AcquireAnswer> {
    const urls = this.sd.endpoints;
    const answer = await this.redis.sdAcquire(
      PREFIX,
      waiterId,
      score,
      this.config.leaseTtlMs,
      this.config.leaseTtlMs,
      token,
      this.sd.slotsPerInstance,
      urls.length,
      ...urls,
      ...urls.map((url) => (avoid.has(url) ? '1' : '0')),
      renewEveryMs(this.config.leaseTtlMs) + 200,
    );
    const [granted, healthy, index, key] = answer;
    if (granted !== 1) return { granted: false, healthy };
    this.held.set(key!, token);
    return { granted: true, healthy, grant: { index: index! - 1, key: key!, token } };
  }

  async leave(waiterId: string): Promise<void> {
    await this.redis.multi().zrem(sdKeys.waiters, waiterId).del(sdKeys.waiter(waiterId)).exec();
  }

  /** A slot of `url` for a probe image, whatever the instance's health; null when all are taken. */
  async takeSlot(url: string, token: string): Promise<string | null> {
    const key = await this.redis.sdTakeSlot(PREFIX, url, this.sd.slotsPerInstance, token, this.config.leaseTtlMs);
    if (key) this.held.set(key, token);
    return key;
  }

  async release(key: string): Promise<void> {
    const token = this.held.get(key);
    if (token === undefined) return;
    this.held.delete(key);
    await this.redis.sdRelease(key, token, sdKeys.wakeChannel);
  }

  /** Renews every lease this node holds. */
  async renewHeld(): Promise<void> {
    if (this.held.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [key, token] of this.held) (pipeline as unknown as PoolRedis).sdRenew(key, token, this.config.leaseTtlMs);
    await pipeline.exec();
  }

  /** Leases taken on `url` by any node (running images and probes). */
  async running(url: string): Promise<number> {
    const keys = Array.from({ length: this.sd.slotsPerInstance }, (_, slot) => sdKeys.lease(url, slot + 1));
    return this.redis.exists(...keys);
  }

  /** Images that have a job taken from the queue but no slot yet. */
  waiting(): Promise<number> {
    return this.redis.zcard(sdKeys.waiters);
  }
}
