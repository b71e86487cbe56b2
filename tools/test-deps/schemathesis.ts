/**
 * Schemathesis (the OpenAPI fuzzer the tests run) in a virtual environment of the project's own,
 * `.data/venv`, installed from PyPI on first use: `npm test` needs Python 3 and the network once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const VENV = join(ROOT, '.data', 'venv');
export const SCHEMATHESIS_VERSION = '4.32.5';
export const SCHEMATHESIS = join(VENV, 'bin', 'schemathesis');

function installedVersion(): string | undefined {
  if (!existsSync(SCHEMATHESIS)) return undefined;
  try {
    return /version (\S+)/.exec(execFileSync(SCHEMATHESIS, ['--version'], { encoding: 'utf8' }))?.[1];
  } catch {
    return undefined;
  }
}

/** Returns the schemathesis command, installing the pinned version when it is missing. */
export function ensureSchemathesis(log: (line: string) => void = console.log): string {
  if (installedVersion() === SCHEMATHESIS_VERSION) return SCHEMATHESIS;
  log(`Installing schemathesis ${SCHEMATHESIS_VERSION} into ${VENV} (once)...`);
  try {
    if (!existsSync(join(VENV, 'bin', 'pip'))) execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
    execFileSync(join(VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`], {
      stdio: 'inherit',
    });
  } catch (error) {
    throw new Error(`Could not install schemathesis with Python 3 (python3 -m venv, pip): ${(error as Error).message}`);
  }
  return SCHEMATHESIS;
}
