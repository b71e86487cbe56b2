/**
 * A program the tests need from one of Debian's packages: the path an environment variable names,
 * else where the package puts it, installed with apt-get on first use when the run is root.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';

export interface DebianTool {
  /** How messages name it, e.g. "Chromium". */
  name: string;
  /** Debian's package. */
  packageName: string;
  /** The variable that names another executable. */
  pathVariable: string;
  /** Where the package puts it. */
  defaultPath: string;
  /** What an executable for `pathVariable` is, for the advice, e.g. "a redis-server executable". */
  executable: string;
  /** Extra `apt-get install` arguments. */
  installArgs?: string[];
  /** Extra environment for apt-get (e.g. not starting a system service). */
  installEnv?: NodeJS.ProcessEnv;
}

export interface DebianToolOptions {
  /** Where the path variable is read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where the package puts the program (default: the tool's). */
  defaultPath?: string;
  /** Whether apt-get may be run (default: the process is root). */
  canInstall?: boolean;
  /** Runs the package install; replaced only by the installers' own tests. */
  install?: () => void;
  log?: (line: string) => void;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The program's own version line; a binary that cannot start (e.g. a missing library) fails here, not in the test. */
export function toolVersion(tool: DebianTool, path: string): string {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).trim();
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`${tool.name} at ${path} does not start (${path} --version): ${stderr || (error as Error).message}`);
  }
}

/** Debian's package, non-interactively; waits for another apt run to release its lock rather than failing. */
export function installDebianPackage(tool: DebianTool): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', ...tool.installEnv };
  const stdio: ['ignore', 'ignore', 'inherit'] = ['ignore', 'ignore', 'inherit'];
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  try {
    execFileSync('apt-get', ['update', '-qq', ...lock], { env, stdio });
    execFileSync('apt-get', ['install', '-y', '-qq', ...(tool.installArgs ?? []), ...lock, tool.packageName], { env, stdio });
  } catch (error) {
    throw new Error(`Could not install ${tool.name} with apt-get (apt-get install -y ${tool.packageName}): ${(error as Error).message}`);
  }
}

/** Returns the path of the program, one that starts, installing Debian's package when there is none and the run may. */
export function ensureDebianTool(tool: DebianTool, options: DebianToolOptions = {}): string {
  const {
    env = process.env,
    defaultPath = tool.defaultPath,
    canInstall = process.getuid?.() === 0,
    install = () => installDebianPackage(tool),
    log = console.log,
  } = options;
  const whatToDo =
    `Install Debian's package as root (sudo apt-get update && sudo apt-get install -y ${tool.packageName}), ` +
    `or set ${tool.pathVariable} to ${tool.executable}.`;

  const configured = env[tool.pathVariable]?.trim();
  if (configured) {
    // A path the user chose is never replaced by an install: a typo should say so.
    if (!isExecutableFile(configured)) throw new Error(`${tool.pathVariable} is "${configured}", which is not an executable file. ${whatToDo}`);
    toolVersion(tool, configured);
    return configured;
  }
  if (isExecutableFile(defaultPath)) {
    toolVersion(tool, defaultPath);
    return defaultPath;
  }
  if (!canInstall) throw new Error(`${tool.name} is not installed (no ${defaultPath}) and this run is not root, so it cannot install it. ${whatToDo}`);

  log(`Installing Debian's ${tool.packageName} package with apt-get (once)...`);
  install();
  if (!isExecutableFile(defaultPath)) throw new Error(`apt-get installed ${tool.packageName}, but there is no ${defaultPath}. ${whatToDo}`);
  log(toolVersion(tool, defaultPath));
  return defaultPath;
}
