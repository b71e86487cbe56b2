/**
 * How the test run finds or installs Chromium, on stand-in executables in a temporary folder;
 * the real apt-get install is what `.ci/run` and a first `npm test` as root do.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureChromium } from './chromium';

describe('ensureChromium', () => {
  let dir: string;
  let installs: number;
  const lines: string[] = [];
  const install = () => {
    installs++;
  };

  /** A stand-in browser: a shell script answering `--version` as given. */
  const browser = (name: string, script = 'echo "Chromium 156.0 stand-in"') => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${script}\n`);
    chmodSync(path, 0o755);
    return path;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'inspilot-chromium-'));
    installs = 0;
    lines.length = 0;
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const options = (extra: Parameters<typeof ensureChromium>[0] = {}) => ({
    env: {},
    defaultPath: join(dir, 'missing', 'chromium'),
    canInstall: true,
    install,
    log: (line: string) => lines.push(line),
    ...extra,
  });

  it('uses CHROMIUM_PATH when it names a browser that starts, and installs nothing', () => {
    const path = browser('chrome');
    expect(ensureChromium(options({ env: { CHROMIUM_PATH: path } }))).toBe(path);
    expect(installs).toBe(0);
  });

  it('refuses a CHROMIUM_PATH that is no executable file, naming it, rather than installing over it', () => {
    const notExecutable = join(dir, 'notes.txt');
    writeFileSync(notExecutable, 'text');
    for (const path of [join(dir, 'nope'), dir, notExecutable]) {
      expect(() => ensureChromium(options({ env: { CHROMIUM_PATH: path } }))).toThrow(`CHROMIUM_PATH is "${path}", which is not an executable file`);
    }
    expect(installs).toBe(0);
  });

  it('says why a browser that does not start fails, with its own error output', () => {
    const broken = browser('chromium', 'echo "error while loading shared libraries: libnss3.so" >&2; exit 127');
    expect(() => ensureChromium(options({ defaultPath: broken }))).toThrow(`Chromium at ${broken} does not start (${broken} --version): error while loading shared libraries: libnss3.so`);
    expect(installs).toBe(0);
  });

  it('uses the package path when the browser is there', () => {
    const path = browser('chromium');
    expect(ensureChromium(options({ defaultPath: path }))).toBe(path);
    expect(installs).toBe(0);
  });

  it('tells a run that is not root what to install, and tries no install', () => {
    expect(() => ensureChromium(options({ canInstall: false }))).toThrow(
      /Chromium is not installed \(no .*missing\/chromium\) and this run is not root.*sudo apt-get update && sudo apt-get install -y chromium.*or set CHROMIUM_PATH/,
    );
    expect(installs).toBe(0);
  });

  it('installs the package when the browser is missing and the run is root, then checks that it starts', () => {
    const defaultPath = join(dir, 'bin', 'chromium');
    const installing = () => {
      installs++;
      mkdirSync(join(dir, 'bin'));
      writeFileSync(defaultPath, '#!/bin/sh\necho "Chromium 156.0 installed"\n');
      chmodSync(defaultPath, 0o755);
    };
    expect(ensureChromium(options({ defaultPath, install: installing }))).toBe(defaultPath);
    expect(installs).toBe(1);
    expect(lines).toEqual(["Installing Debian's chromium package with apt-get (once)...", 'Chromium 156.0 installed']);
  });

  it('fails naming the path when the install leaves no browser there', () => {
    expect(() => ensureChromium(options())).toThrow(/apt-get installed chromium, but there is no .*missing\/chromium/);
    expect(installs).toBe(1);
  });

  it('passes on a failed install', () => {
    const failing = () => {
      throw new Error('Could not install Chromium with apt-get (apt-get install -y chromium): exit 100');
    };
    expect(() => ensureChromium(options({ install: failing }))).toThrow('exit 100');
  });
});
