/**
 * How the test run finds or installs redis-server, on stand-in executables in a temporary folder;
 * the real apt-get install is what `.ci/run` and a first `npm test` as root do.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRedisServer } from './redis';

describe('ensureRedisServer', () => {
  let dir: string;
  let installs: number;
  const lines: string[] = [];

  const server = (name: string, script = 'echo "Redis server v=7.0.15 stand-in"') => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${script}\n`);
    chmodSync(path, 0o755);
    return path;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'inspilot-redis-server-'));
    installs = 0;
    lines.length = 0;
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const options = (extra: Parameters<typeof ensureRedisServer>[0] = {}) => ({
    env: {},
    defaultPath: join(dir, 'missing', 'redis-server'),
    canInstall: true,
    install: () => void installs++,
    log: (line: string) => lines.push(line),
    ...extra,
  });

  it('uses REDIS_SERVER_PATH when it names a server that starts, and installs nothing', () => {
    const path = server('redis');
    expect(ensureRedisServer(options({ env: { REDIS_SERVER_PATH: path } }))).toBe(path);
    expect(installs).toBe(0);
  });

  it('refuses a REDIS_SERVER_PATH that is no executable file, naming it, rather than installing over it', () => {
    const path = join(dir, 'nope');
    expect(() => ensureRedisServer(options({ env: { REDIS_SERVER_PATH: path } }))).toThrow(`REDIS_SERVER_PATH is "${path}", which is not an executable file`);
    expect(installs).toBe(0);
  });

  it('says why a server that does not start fails, with its own error output', () => {
    const broken = server('redis-server', 'echo "cannot open shared object file: libssl.so.3" >&2; exit 127');
    expect(() => ensureRedisServer(options({ defaultPath: broken }))).toThrow(`redis-server at ${broken} does not start (${broken} --version): cannot open shared object file: libssl.so.3`);
  });

  it('tells a run that is not root what to install, and tries no install', () => {
    expect(() => ensureRedisServer(options({ canInstall: false }))).toThrow(/redis-server is not installed .* not root.*apt-get install -y redis-server.*REDIS_SERVER_PATH/);
    expect(installs).toBe(0);
  });

  it('installs the package when the server is missing and the run is root, then checks that it starts', () => {
    const defaultPath = join(dir, 'bin', 'redis-server');
    const install = () => {
      installs++;
      mkdirSync(join(dir, 'bin'));
      writeFileSync(defaultPath, '#!/bin/sh\necho "Redis server v=7.0.15 installed"\n');
      chmodSync(defaultPath, 0o755);
    };
    expect(ensureRedisServer(options({ defaultPath, install }))).toBe(defaultPath);
    expect([installs, lines]).toEqual([1, ["Installing Debian's redis-server package with apt-get (once)...", 'Redis server v=7.0.15 installed']]);
  });

  it('fails naming the path when the install leaves no server there', () => {
    expect(() => ensureRedisServer(options())).toThrow(/apt-get installed redis-server, but there is no .*missing\/redis-server/);
    expect(installs).toBe(1);
  });
});
