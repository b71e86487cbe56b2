import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { redisConfig } from '../config/redis.config';
import { createRedis, redisAddress, whenReady } from './redis-connection';
import { redisUptimeMs } from './redis-uptime';

/** Where a node's heartbeat lives: present while the node runs, gone NODE_HEARTBEAT_TTL_MS after it stopped. */
export const nodeKey = (id: string) => `inspilot:node:${id}`;

/**
 * This API process as one node of several. With REDIS_URL it holds the shared Redis connection
 * and a heartbeat key that expires when the process dies, so any node can tell whether the
 * node that asked for some work is still there. Without it there is one process and no Redis.
 */
@Injectable()
export class ClusterNode implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ClusterNode.name);
  /** Unique per process: a restarted node is a new node, and the old one's work is known to be orphaned. */
  readonly id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly startedAt = new Date();
  /** The shared connection; null when this process runs alone. */
  readonly redis: Redis | null;
  private heartbeat?: NodeJS.Timeout;
  private started?: Promise<void>;

  constructor(@Inject(redisConfig.KEY) readonly config: ConfigType<typeof redisConfig>) {
    this.redis = config.url ? createRedis(config.url, `inspilot:${this.id}`) : null;
    // Errors are reported by the 'close'/'reconnecting' cycle; without a listener ioredis prints each one.
    this.redis?.on('error', () => undefined);
  }

  get clustered(): boolean {
    return this.redis !== null;
  }

  onModuleInit(): Promise<void> {
    return this.ready();
  }

  /** Resolves once this node has joined (Redis answered, first heartbeat written); fails start-up otherwise. */
  ready(): Promise<void> {
    this.started ??= this.join();
    return this.started;
  }

  private async join(): Promise<void> {
    if (!this.redis) return;
    try {
      await whenReady(this.redis, this.config.timeoutMs);
    } catch {
      this.redis.disconnect();
      throw new Error(`Redis at ${redisAddress(this.config.url!)} did not answer within REDIS_TIMEOUT_MS (${this.config.timeoutMs} ms); start it or fix REDIS_URL.`);
    }
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat(), Math.max(100, Math.floor(this.config.heartbeatTtlMs / 3)));
    this.heartbeat.unref();
    // After a Redis restart the key is gone until the next beat: other nodes must not think us dead that long.
    this.redis.on('ready', () => void this.beat());
    this.logger.log(`Node ${this.id} joined the pool at ${redisAddress(this.config.url!)}`);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    if (!this.redis) return;
    await this.redis.del(nodeKey(this.id)).catch(() => undefined);
    this.redis.disconnect();
  }

  /** Whether the node `id` is running: this one always; another while its heartbeat lasts. */
  async isAlive(id: string): Promise<boolean> {
    if (id === this.id) return true;
    if (!this.redis) return false;
    return (await this.redis.exists(nodeKey(id))) === 1;
  }

  /** Which of `ids` are running, in one round trip. */
  async alive(ids: string[]): Promise<Set<string>> {
    const others = [...new Set(ids)].filter((id) => id !== this.id);
    const living = new Set(ids.includes(this.id) ? [this.id] : []);
    if (!this.redis || others.length === 0) return living;
    const pipeline = this.redis.pipeline();
    for (const id of others) pipeline.exists(nodeKey(id));
    const answers = (await pipeline.exec()) ?? [];
    answers.forEach(([error, exists], index) => {
      if (error) throw error;
      if (exists === 1) living.add(others[index]);
    });
    return living;
  }

  /**
   * Whether a missing heartbeat proves its node gone. A Redis that restarted without its data has
   * lost every heartbeat; until each live node has beaten again (within NODE_HEARTBEAT_TTL_MS),
   * it proves nothing.
   */
  async heartbeatsSettled(): Promise<boolean> {
    if (!this.redis) return true;
    const uptime = redisUptimeMs(await this.redis.info('server'));
    if (uptime === undefined || uptime >= this.config.heartbeatTtlMs) return true;
    this.logger.debug(`Redis has been up ${uptime} ms, less than NODE_HEARTBEAT_TTL_MS: gone nodes are looked for later`);
    return false;
  }

  private async beat(): Promise<void> {
    const value = JSON.stringify({ host: hostname(), pid: process.pid, startedAt: this.startedAt.toISOString() });
    await this.redis?.set(nodeKey(this.id), value, 'PX', this.config.heartbeatTtlMs).catch(() => undefined);
  }
}
