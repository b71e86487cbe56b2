import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { defineConfig } from './define-config';
import { ToNumber } from './variables';

export class RedisVariables {
  /**
   * Several API processes share one Stable Diffusion pool through this Redis; unset, the pool
   * lives in this process alone.
   */
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379' })
  REDIS_URL?: string = undefined;

  /** How long an image waits for an unreachable Redis before its request answers 503. */
  @ToNumber() @IsInt() @Min(100) @Max(600000)
  REDIS_TIMEOUT_MS = 10000;

  /** A node that has not renewed its heartbeat this long is gone: its queued images are dropped. */
  @ToNumber() @IsInt() @Min(300) @Max(600000)
  NODE_HEARTBEAT_TTL_MS = 10000;

  /**
   * A WebUI slot taken by a node stays taken this long after the node stops renewing it, since
   * the image it asked for may still be running.
   */
  @ToNumber() @IsInt() @Min(300) @Max(3600000)
  SD_LEASE_TTL_MS = 30000;
}

export interface RedisConfig {
  /** Unset: one process, the in-process pool. */
  url?: string;
  timeoutMs: number;
  heartbeatTtlMs: number;
  leaseTtlMs: number;
}

export const redisConfig = defineConfig(
  'redis',
  RedisVariables,
  (v): RedisConfig => ({
    url: v.REDIS_URL,
    timeoutMs: v.REDIS_TIMEOUT_MS,
    heartbeatTtlMs: v.NODE_HEARTBEAT_TTL_MS,
    leaseTtlMs: v.SD_LEASE_TTL_MS,
  }),
);
