/**
 * A real redis-server for one test file (tools/redis/launcher.ts): a free port, a temporary
 * directory, nothing saved to disk; `stop()` and `start()` restart it on the same port; the file
 * closes it in afterAll.
 */
export { startRedisServer as startRedis, type RunningRedis as TestRedis } from '../../tools/redis/launcher';
