/**
 * redis-server (the shared queue of the cluster tests): `REDIS_SERVER_PATH` when set, else Debian's
 * `redis-server` package, installed with apt-get on first use when the run is root.
 */
import { DebianToolOptions, ensureDebianTool, type DebianTool } from './debian-tool';

export const REDIS_DEFAULT_PATH = '/usr/bin/redis-server';

const REDIS_SERVER: DebianTool = {
  name: 'redis-server',
  packageName: 'redis-server',
  pathVariable: 'REDIS_SERVER_PATH',
  defaultPath: REDIS_DEFAULT_PATH,
  executable: 'a redis-server executable',
  installArgs: ['--no-install-recommends'],
  // Installed for the tests to start, not as a system service.
  installEnv: { RUNLEVEL: '1' },
};

/** Returns the path of a redis-server that starts, installing Debian's package when there is none and the run may. */
export function ensureRedisServer(options: DebianToolOptions = {}): string {
  return ensureDebianTool(REDIS_SERVER, options);
}
