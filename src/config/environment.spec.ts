import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paintConfig } from '../apps/paint/paint.config';
import { SERVICE_NAMESPACES } from '../app.environment';
import { defineConfig } from './define-config';
import { ConfigurationError, loadEnvironment } from './environment';
import { CONFIG_NAMESPACES } from './namespaces';
import { sdConfig } from './sd.config';
import { serverConfig, ServerVariables } from './server.config';

const ROOT = join(__dirname, '..', '..');
const REQUIRED = { OPENAI_API_KEY: 'sk-test', SD_ENDPOINTS: 'http://127.0.0.1:7860' };

/** Every variable with its default, as the namespaces declare them, the apps' included. */
const declared = SERVICE_NAMESPACES.flatMap((namespace) =>
  Object.entries(new namespace.variables() as Record<string, unknown>).map(([name, value]) => ({ name, value })),
);

describe('environment', () => {
  it('builds every namespace from the defaults when only the required variables are set', () => {
    const environment = loadEnvironment(REQUIRED, SERVICE_NAMESPACES);
    expect(environment.config(serverConfig)).toMatchObject({ port: 5000, bodyLimits: { default: '1mb' }, docs: true });
    expect(environment.config(sdConfig)).toMatchObject({ endpoints: ['http://127.0.0.1:7860'], stall: { factor: 3 } });
    expect(environment.config(paintConfig)).toEqual({ appId: 0 });
  });

  it("finds each app's namespace from the app modules AppModule imports, after the service's own", () => {
    expect(SERVICE_NAMESPACES.slice(0, CONFIG_NAMESPACES.length)).toEqual(CONFIG_NAMESPACES);
    expect(SERVICE_NAMESPACES.slice(CONFIG_NAMESPACES.length)).toEqual([paintConfig]);
    const environment = loadEnvironment({ ...REQUIRED, PAINT_APP_ID: '7' }, SERVICE_NAMESPACES);
    expect(environment.namespaces).toBe(SERVICE_NAMESPACES);
    expect(environment.config(paintConfig)).toEqual({ appId: 7 });
  });

  it("names a bad APP_ID in the same one error as the service's own variables", () => {
    expect(() => loadEnvironment({ ...REQUIRED, PAINT_APP_ID: 'first', PORT: '-1' }, SERVICE_NAMESPACES)).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/- PORT: [\s\S]*- PAINT_APP_ID: .*\(got "first"\)/) }),
    );
  });

  it('refuses two namespaces of one name, which would share one injection token', () => {
    const clash = defineConfig('server', ServerVariables, () => ({}));
    expect(() => loadEnvironment(REQUIRED, [...SERVICE_NAMESPACES, clash])).toThrow(/namespace "server" is declared twice/);
  });

  it('reads text as numbers and booleans, and treats blank as unset', () => {
    const environment = loadEnvironment({ ...REQUIRED, PORT: ' 8080 ', DOCS_ENABLED: 'FALSE', HOST: '   ' }, SERVICE_NAMESPACES);
    expect(environment.config(serverConfig)).toMatchObject({ port: 8080, docs: false, host: '0.0.0.0' });
  });

  it('names every bad variable in one error, with what it got', () => {
    let error: unknown;
    try {
      loadEnvironment({ PORT: 'abc', SD_STALL_FACTOR: '0', DOCS_ENABLED: 'maybe' }, SERVICE_NAMESPACES);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'SD_STALL_FACTOR', 'DOCS_ENABLED', 'SD_ENDPOINTS', 'OPENAI_API_KEY']) expect(message).toContain(name);
    expect(message).toContain('(got "abc")');
  });

  it('lists each variable once across namespaces', () => {
    const names = declared.map((variable) => variable.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('.env.example lists every variable once, with its default where it has one', () => {
    const lines = readFileSync(join(ROOT, '.env.example'), 'utf8').split('\n');
    const assigned = new Map<string, string[]>();
    for (const line of lines) {
      const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
      if (match) assigned.set(match[1], [...(assigned.get(match[1]) ?? []), match[2]]);
    }
    expect([...assigned.keys()].sort()).toEqual(declared.map((variable) => variable.name).sort());
    for (const { name, value } of declared) {
      expect({ name, count: assigned.get(name)!.length }).toEqual({ name, count: 1 });
      if (value !== undefined) expect({ name, value: assigned.get(name)![0] }).toEqual({ name, value: String(value) });
    }
  });

  it("the README's configuration table lists every variable with its default", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const rows = new Map<string, string>();
    for (const match of readme.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \| ([^|]*) \|/gm)) rows.set(match[1], match[2].trim());
    expect([...rows.keys()].sort()).toEqual(declared.map((variable) => variable.name).sort());
    for (const { name, value } of declared) {
      const shown = rows.get(name)!;
      if (value === undefined) expect({ name, shown }).toEqual({ name, shown: expect.not.stringMatching(/^`/) });
      else expect({ name, shown }).toEqual({ name, shown: `\`${String(value)}\`` });
    }
  });
});
