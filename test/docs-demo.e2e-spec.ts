/**
 * The API docs of a server run straight from the TypeScript sources, as `npm run demo` and
 * `npm run bench` run it (tools/stack: ts-node without the Swagger plugin), against the
 * document of the app compiled with the plugin, as `nest build` and the in-process tests
 * compile it. They must be one document, and each app type's example in it must run.
 */
import request from 'supertest';
import { freePort } from '../tools/ferretdb/launcher';
import { startStack, type Stack } from '../tools/stack';
import { createTestApp, isolatedDatabaseUri, type TestApp } from './support/test-app';

type Json = Record<string, any>;

/** Every `$ref` inside `node`. */
function refsIn(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((item) => refsIn(item, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.add(value);
      else refsIn(value, found);
    }
  }
  return found;
}

describe('API docs of a server run from the sources (e2e: spawns the demo stack)', () => {
  let stack: Stack;
  let compiled: TestApp;
  let served: Json;
  let built: Json;

  beforeAll(async () => {
    stack = await startStack({ gptLatencyMs: 5, sdLatencyMs: 10, sdInstances: 2, apiPort: await freePort(), mongoUri: isolatedDatabaseUri() });
    const response = await fetch(`${stack.apiUrl}/docs-json`);
    expect(response.status).toBe(200);
    served = (await response.json()) as Json;
    compiled = await createTestApp();
    built = (await request(compiled.app.getHttpServer()).get('/docs-json')).body;
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await compiled?.close();
  });

  it('serves the same document as the app compiled with the Swagger plugin', () => {
    expect(Object.keys(served.components.schemas).sort()).toEqual(Object.keys(built.components.schemas).sort());
    expect(served).toEqual(built);
  });

  it.each(['StartDto', 'SaveDto', 'DrawingStateDto', 'ExperimentDto', 'GenerateDto', 'RapidDivergenceInput', 'CreativeDto'])(
    'documents the properties of %s',
    (name) => {
      expect(Object.keys(served.components.schemas[name]?.properties ?? {}).length).toBeGreaterThan(0);
    },
  );

  it('documents the properties of every object schema a route uses, however deep', () => {
    const schemas: Json = served.components.schemas;
    const seen = new Set<string>();
    const pending = [...refsIn(served.paths)];
    while (pending.length > 0) {
      const name = pending.pop()!.replace('#/components/schemas/', '');
      if (seen.has(name)) continue;
      seen.add(name);
      const schema = schemas[name];
      expect({ name, defined: schema !== undefined }).toEqual({ name, defined: true });
      if (schema.type === 'object') expect({ name, properties: Object.keys(schema.properties ?? {}).length > 0 }).toEqual({ name, properties: true });
      pending.push(...refsIn(schema));
    }
    expect(seen.size).toBeGreaterThan(20);
  });

  it("runs each app type's example of /generate as it is documented", async () => {
    const examples: Json = served.paths['/generate'].post.requestBody.content['application/json'].examples;
    expect(Object.keys(examples).sort()).toEqual(['paint-0', 'paint-1', 'paint-2', 'paint-3']);
    const answers = await Promise.all(
      Object.values(examples).map(async ({ value }: Json) => {
        const response = await fetch(`${stack.apiUrl}/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
        return { type: value.type, status: response.status, body: (await response.json()) as Json };
      }),
    );
    for (const { type, status, body } of answers) {
      expect({ type, status, code: body.code, message: body.message }).toEqual({ type, status: 200, code: 0, message: '' });
      if (type === 2) expect(body.data.names.length).toBeGreaterThan(0);
      else expect(body.data.result.length).toBeGreaterThan(0);
    }
  });
});
