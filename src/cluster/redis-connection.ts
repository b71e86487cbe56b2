import { Redis, type RedisOptions } from 'ioredis';

/** The address of a Redis URL without its credentials, for logs and messages. */
export function redisAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'the configured Redis';
  }
}

/**
 * Options of every connection a node opens. Commands are refused at once while the connection
 * is down (callers bound their own waits), and ioredis reconnects by itself, forever, backing off
 * up to one second.
 */
/** Reconnects forever, backing off up to one second. */
export const reconnectDelay = (times: number): number => Math.min(50 * times, 1000);

export function connectionOptions(name: string): RedisOptions & { retryStrategy: typeof reconnectDelay } {
  return {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: reconnectDelay,
    // Redis 7 speaks RESP3; the queue's scripts are written for RESP2 replies.
    protocol: 2,
  };
}

export function createRedis(url: string, name: string): Redis {
  return new Redis(url, connectionOptions(name));
}

/** Resolves once `redis` is connected and ready, rejects after `timeoutMs`. */
export function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', ready);
      reject(new Error(`Redis is unreachable after ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    const ready = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', ready);
  });
}
