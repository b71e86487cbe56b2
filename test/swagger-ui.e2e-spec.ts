/**
 * The Swagger UI at /docs in a real browser (headless Chromium): the page works under the
 * app's Content-Security-Policy, lists the schemas, and every request-body example of
 * POST /generate runs from "Try it out" against the GPT and Stable Diffusion simulators.
 */
import { DiscoveryService } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import type { Browser, Locator, Page } from 'playwright-core';
import { RegisterGenerationApp, RegisterPipeline, type GenerationApp } from '../src/engine';
import type { AnyPipeline } from '../src/engine/generation-pipeline';
import { collectPageErrors, launchChromium } from './support/browser';
import { startSims, type Sims } from './support/simulators';
import { createTestApp, type TestApp } from './support/test-app';

type Json = Record<string, any>;

interface RequestExample {
  summary: string;
  value: { appid: number; type: number; prompts: Json };
}

/** What `data` holds for each paint type; `sent` is the request body the browser sent. */
const PAINT_DATA_SHAPES: Record<number, { keys: string[]; check(data: Json, sent: RequestExample['value']): void }> = {
  0: { keys: ['count', 'result'], check: (data) => expectCreatives(data, true) },
  1: {
    keys: ['count', 'result', 'schemeId'],
    check: (data, sent) => {
      expectCreatives(data, true);
      expect(data.schemeId).toBe(sent.prompts.schemeId);
    },
  },
  2: {
    keys: ['names', 'selected'],
    check: (data) => {
      expect(data.names).toEqual(expect.arrayContaining([expect.stringMatching(/\S/)]));
      expect(data.selected.length).toBeGreaterThan(0);
      for (const name of data.selected) expect(data.names).toContain(name);
    },
  },
  3: { keys: ['result'], check: (data) => expectCreatives(data, false) },
};

function expectCreatives(data: Json, counted: boolean): void {
  expect(Array.isArray(data.result)).toBe(true);
  expect(data.result.length).toBeGreaterThan(0);
  for (const creative of data.result) {
    expect(creative).toEqual({ type: expect.any(Number), displayType: expect.any(String), items: expect.any(Array) });
    expect(creative.items.length).toBeGreaterThan(0);
  }
  if (counted) expect(data.count).toBe(data.result.length);
}

/** The JSON kind of a value, in the words of an OpenAPI schema (`integer` is a `number` here). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

function documentedKind(property: Json): string | undefined {
  if (property.$ref || property.allOf || property.oneOf) return undefined;
  return property.type === 'integer' ? 'number' : property.type;
}

/** `data` against the schema the document gives its type: its required keys, no others, each of its kind. */
function expectDocumentedShape(example: string, data: Json, schema: Json): void {
  const properties: Record<string, Json> = schema.properties ?? {};
  expect({ example, missing: (schema.required ?? []).filter((key: string) => !(key in data)) }).toEqual({ example, missing: [] });
  expect({ example, undocumented: Object.keys(data).filter((key) => !(key in properties)) }).toEqual({ example, undocumented: [] });
  for (const [key, value] of Object.entries(data)) {
    const kind = documentedKind(properties[key]);
    if (kind) expect({ example, key, kind: kindOf(value) }).toEqual({ example, key, kind });
  }
}

/** The paint app's id and the types its module registers, as the running app discovered them. */
function registeredPaintTypes(testApp: TestApp): { appid: number; types: number[] } {
  const discovery = testApp.app.get(DiscoveryService);
  const paint = discovery.getProviders({ metadataKey: RegisterGenerationApp.KEY }).find((wrapper) => (wrapper.instance as GenerationApp)?.name === 'paint');
  if (!paint?.host) throw new Error('the running app registers no "paint" app');
  const types = discovery
    .getProviders({ metadataKey: RegisterPipeline.KEY })
    .filter((wrapper) => wrapper.host === paint.host)
    .map((wrapper) => (wrapper.instance as AnyPipeline).type)
    .sort((a, b) => a - b);
  return { appid: (paint.instance as GenerationApp).id, types };
}

describe('Swagger UI in a browser (e2e)', () => {
  let sims: Sims;
  let testApp: TestApp;
  let baseUrl: string;
  let doc: Json;
  let browser: Browser | undefined;
  let page: Page;
  let pageErrors: string[];

  const requestExamples = (): Record<string, RequestExample> =>
    doc.paths?.['/generate']?.post?.requestBody?.content?.['application/json']?.examples ?? {};

  // Long only on a machine without Chromium, where it is installed first (about a minute).
  beforeAll(async () => {
    browser = await launchChromium();
    sims = await startSims({ sdCount: 2 });
    testApp = await createTestApp(sims.env);
    await testApp.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(testApp.app.getHttpServer().address() as AddressInfo).port}`;
    const response = await fetch(`${baseUrl}/docs-json`);
    expect(response.status).toBe(200);
    doc = (await response.json()) as Json;

    page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    pageErrors = collectPageErrors(page);
    await page.goto(`${baseUrl}/docs`);
    await page.locator('.swagger-ui .opblock').first().waitFor();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await testApp?.close();
    await sims?.closeAll();
  }, 30_000);

  it('is served a document with a request-body example of POST /generate for every registered paint type', () => {
    const { appid, types } = registeredPaintTypes(testApp);
    expect(types.length).toBeGreaterThan(0);
    const examples = requestExamples();
    expect(Object.keys(examples)).toEqual(expect.arrayContaining(types.map((type) => `paint-${type}`)));
    expect(Object.keys(examples).length).toBeGreaterThanOrEqual(types.length);
    for (const type of types) {
      const example = examples[`paint-${type}`];
      expect({ type, summary: example.summary, appid: example.value.appid, valueType: example.value.type }).toEqual({
        type,
        summary: expect.stringMatching(new RegExp(`^paint · ${type} [a-z-]+$`)),
        appid,
        valueType: type,
      });
    }
  }, 10_000);

  it('lists every schema of the document in its Schemas section', async () => {
    const section = page.locator('section.models');
    await section.locator('.model-container').first().waitFor();
    const shown = await section.locator('.model-container').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-name')));
    const schemas = Object.keys(doc.components?.schemas ?? {});
    expect(schemas).toEqual(expect.arrayContaining(['GenerateDto', 'StartDto', 'SaveDto']));
    expect(shown.sort()).toEqual(schemas.sort());
  }, 15_000);

  it('runs every request-body example of POST /generate from "Try it out" and shows its answer', async () => {
    const paint = registeredPaintTypes(testApp);
    const examples = Object.entries(requestExamples());
    expect(examples.length).toBeGreaterThan(0);
    const catalogue = (await (await fetch(`${baseUrl}/apps`)).json()) as { data: { appid: number; types: { type: number; data: string }[] }[] };
    const dataSchemaOf = (appid: number, type: number): Json | undefined => {
      const name = catalogue.data.find((app) => app.appid === appid)?.types.find((entry) => entry.type === type)?.data;
      return name ? doc.components?.schemas?.[name] : undefined;
    };

    const operation = page.locator('.opblock-post', { has: page.locator('.opblock-summary-path[data-path="/generate"]') });
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    const select = operation.locator('.opblock-section-request-body select.examples-select-element');
    const options = await select.locator('option').allTextContents();
    expect(options).toEqual(expect.arrayContaining(examples.map(([, example]) => example.summary)));

    for (const [key, example] of examples) {
      await select.selectOption({ label: example.summary });
      const body = await execute(operation);
      expect({ example: key, sent: body.sent }).toEqual({ example: key, sent: example.value });
      expect({ example: key, status: body.status, code: body.json.code, success: body.json.success, message: body.json.message }).toEqual({
        example: key,
        status: '200',
        code: 0,
        success: true,
        message: expect.any(String),
      });
      const { appid, type } = example.value;
      const schema = dataSchemaOf(appid, type);
      expect({ example: key, documented: schema !== undefined }).toEqual({ example: key, documented: true });
      expectDocumentedShape(key, body.json.data, schema!);
      if (appid === paint.appid) {
        // Beyond the document: what each paint type's answer must hold, written down here.
        const shape = PAINT_DATA_SHAPES[type];
        expect({ example: key, paintShapeKnown: shape !== undefined }).toEqual({ example: key, paintShapeKnown: true });
        expect({ example: key, keys: Object.keys(body.json.data).sort() }).toEqual({ example: key, keys: shape.keys });
        shape.check(body.json.data, example.value);
      }
      await operation.locator('button.btn-clear').click();
      await operation.locator('.live-responses-table').waitFor({ state: 'detached' });
    }
  }, 50_000);

  // Last, so it covers everything the tests above made the page do.
  it('reports no console error and no uncaught exception (a resource the CSP refuses included)', () => {
    expect(pageErrors).toEqual([]);
  }, 5_000);

  /** Clicks Execute and reads what the page shows: the status, the response body (parsed) and the request it sent. */
  async function execute(operation: Locator): Promise<{ sent: unknown; status: string; json: Json }> {
    const [request] = await Promise.all([
      page.waitForRequest((candidate) => candidate.method() === 'POST' && new URL(candidate.url()).pathname === '/generate'),
      operation.locator('button.execute').click(),
    ]);
    const response = operation.locator('.live-responses-table .response');
    const bodyText = (await response.locator('.response-col_description .highlight-code pre').textContent({ timeout: 30_000 })) ?? '';
    const status = ((await response.locator('.response-col_status').textContent()) ?? '').trim();
    try {
      return { sent: request.postDataJSON(), status, json: JSON.parse(bodyText) as Json };
    } catch {
      throw new Error(`the response panel shows no JSON body (status ${status}): ${bodyText.slice(0, 300)}`);
    }
  }
});
