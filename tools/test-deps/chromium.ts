/**
 * Chromium (the browser the Swagger UI test drives): `CHROMIUM_PATH` when set, else Debian's
 * `chromium` package, installed with apt-get on first use when the run is root. playwright-core
 * never downloads a browser of its own.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';

export const CHROMIUM_PACKAGE = 'chromium';
export const CHROMIUM_DEFAULT_PATH = '/usr/bin/chromium';

export interface ChromiumOptions {
  /** Where CHROMIUM_PATH is read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where the package puts the browser (default: /usr/bin/chromium). */
  defaultPath?: string;
  /** Whether apt-get may be run (default: the process is root). */
  canInstall?: boolean;
  /** Runs the package install; replaced only by the installer's own tests. */
  install?: () => void;
  log?: (line: string) => void;
}

const WHAT_TO_DO =
  `Install Debian's package as root (sudo apt-get update && sudo apt-get install -y ${CHROMIUM_PACKAGE}), ` +
  'or set CHROMIUM_PATH to a Chromium or Chrome executable.';

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The browser's own version line; a binary that cannot start (e.g. a missing library) fails here, not in the test. */
export function chromiumVersion(path: string): string {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).trim();
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`Chromium at ${path} does not start (${path} --version): ${stderr || (error as Error).message}`);
  }
}

/** Debian's package, non-interactively; waits for another apt run to release its lock rather than failing. */
export function installChromiumPackage(): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const stdio: ['ignore', 'ignore', 'inherit'] = ['ignore', 'ignore', 'inherit'];
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  try {
    execFileSync('apt-get', ['update', '-qq', ...lock], { env, stdio });
    execFileSync('apt-get', ['install', '-y', '-qq', ...lock, CHROMIUM_PACKAGE], { env, stdio });
  } catch (error) {
    throw new Error(`Could not install Chromium with apt-get (apt-get install -y ${CHROMIUM_PACKAGE}): ${(error as Error).message}`);
  }
}

/** Returns the path of a Chromium that starts, installing Debian's package when there is none and the run may. */
export function ensureChromium(options: ChromiumOptions = {}): string {
  const {
    env = process.env,
    defaultPath = CHROMIUM_DEFAULT_PATH,
    canInstall = process.getuid?.() === 0,
    install = installChromiumPackage,
    log = console.log,
  } = options;

  const configured = env.CHROMIUM_PATH?.trim();
  if (configured) {
    // A path the user chose is never replaced by an install: a typo should say so.
    if (!isExecutableFile(configured)) throw new Error(`CHROMIUM_PATH is "${configured}", which is not an executable file. ${WHAT_TO_DO}`);
    chromiumVersion(configured);
    return configured;
  }
  if (isExecutableFile(defaultPath)) {
    chromiumVersion(defaultPath);
    return defaultPath;
  }
  if (!canInstall) throw new Error(`Chromium is not installed (no ${defaultPath}) and this run is not root, so it cannot install it. ${WHAT_TO_DO}`);

  log(`Installing Debian's ${CHROMIUM_PACKAGE} package with apt-get (once)...`);
  install();
  if (!isExecutableFile(defaultPath)) throw new Error(`apt-get installed ${CHROMIUM_PACKAGE}, but there is no ${defaultPath}. ${WHAT_TO_DO}`);
  log(chromiumVersion(defaultPath));
  return defaultPath;
}
