/**
 * redis-server (the shared queue of the cluster tests): `REDIS_SERVER_PATH` when set, else Debian's
 * `redis-server` package, installed with apt-get on first use when the run is root.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';

export const REDIS_PACKAGE = 'redis-server';
export const REDIS_DEFAULT_PATH = '/usr/bin/redis-server';

export interface RedisServerOptions {
  /** Where REDIS_SERVER_PATH is read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where the package puts the server (default: /usr/bin/redis-server). */
  defaultPath?: string;
  /** Whether apt-get may be run (default: the process is root). */
  canInstall?: boolean;
  /** Runs the package install; replaced only by the installer's own tests. */
  install?: () => void;
  log?: (line: string) => void;
}

const WHAT_TO_DO =
  `Install Debian's package as root (sudo apt-get update && sudo apt-get install -y ${REDIS_PACKAGE}), ` +
  'or set REDIS_SERVER_PATH to a redis-server executable.';

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The server's own version line; a binary that cannot start fails here, not in the test. */
export function redisServerVersion(path: string): string {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).trim();
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`redis-server at ${path} does not start (${path} --version): ${stderr || (error as Error).message}`);
  }
}

/** Debian's package, non-interactively, without starting a system service; waits for another apt run's lock. */
export function installRedisPackage(): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', RUNLEVEL: '1' };
  const stdio: ['ignore', 'ignore', 'inherit'] = ['ignore', 'ignore', 'inherit'];
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  try {
    execFileSync('apt-get', ['update', '-qq', ...lock], { env, stdio });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...lock, REDIS_PACKAGE], { env, stdio });
  } catch (error) {
    throw new Error(`Could not install redis-server with apt-get (apt-get install -y ${REDIS_PACKAGE}): ${(error as Error).message}`);
  }
}

/** Returns the path of a redis-server that starts, installing Debian's package when there is none and the run may. */
export function ensureRedisServer(options: RedisServerOptions = {}): string {
  const {
    env = process.env,
    defaultPath = REDIS_DEFAULT_PATH,
    canInstall = process.getuid?.() === 0,
    install = installRedisPackage,
    log = console.log,
  } = options;

  const configured = env.REDIS_SERVER_PATH?.trim();
  if (configured) {
    // A path the user chose is never replaced by an install: a typo should say so.
    if (!isExecutableFile(configured)) throw new Error(`REDIS_SERVER_PATH is "${configured}", which is not an executable file. ${WHAT_TO_DO}`);
    redisServerVersion(configured);
    return configured;
  }
  if (isExecutableFile(defaultPath)) {
    redisServerVersion(defaultPath);
    return defaultPath;
  }
  if (!canInstall) throw new Error(`redis-server is not installed (no ${defaultPath}) and this run is not root, so it cannot install it. ${WHAT_TO_DO}`);

  log(`Installing Debian's ${REDIS_PACKAGE} package with apt-get (once)...`);
  install();
  if (!isExecutableFile(defaultPath)) throw new Error(`apt-get installed ${REDIS_PACKAGE}, but there is no ${defaultPath}. ${WHAT_TO_DO}`);
  log(redisServerVersion(defaultPath));
  return defaultPath;
}
