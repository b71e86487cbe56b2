import type { Redis } from 'ioredis';
import { ACQUIRE, CLAIM_PROBE, PROBE_AGAIN, RELEASE, RENEW, SET_ASIDE, TAKE_SLOT } from './sd-cluster.scripts';

type Arg = string | number;

/** The shared pool's scripts as commands of one connection (sent by hash, reloaded after a Redis restart). */
export interface PoolRedis extends Redis {
  sdAcquire(...args: Arg[]): Promise<[number, number, number?, string?]>;
  sdTakeSlot(...args: Arg[]): Promise<string | null>;
  sdRelease(key: string, ...args: Arg[]): Promise<number>;
  sdRenew(key: string, ...args: Arg[]): Promise<number>;
  sdSetAside(key: string, ...args: Arg[]): Promise<number>;
  sdClaimProbe(health: string, lock: string, ...args: Arg[]): Promise<number>;
  sdProbeAgain(health: string, lock: string, ...args: Arg[]): Promise<number>;
}

const defined = new WeakSet<Redis>();

export function poolRedis(redis: Redis): PoolRedis {
  if (!defined.has(redis)) {
    redis.defineCommand('sdAcquire', { numberOfKeys: 0, lua: ACQUIRE });
    redis.defineCommand('sdTakeSlot', { numberOfKeys: 0, lua: TAKE_SLOT });
    redis.defineCommand('sdRelease', { numberOfKeys: 1, lua: RELEASE });
    redis.defineCommand('sdRenew', { numberOfKeys: 1, lua: RENEW });
    redis.defineCommand('sdSetAside', { numberOfKeys: 1, lua: SET_ASIDE });
    redis.defineCommand('sdClaimProbe', { numberOfKeys: 2, lua: CLAIM_PROBE });
    redis.defineCommand('sdProbeAgain', { numberOfKeys: 2, lua: PROBE_AGAIN });
    defined.add(redis);
  }
  return redis as PoolRedis;
}
