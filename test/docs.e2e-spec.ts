/**
 * The OpenAPI document at /docs-json and the Swagger UI at /docs, as the running app serves
 * them (with the @nestjs/swagger CLI plugin applied, as `nest build` does).
 */
import request from 'supertest';
import { createTestApp, TestApp } from './support/test-app';

type Json = Record<string, any>;

const ENVELOPE_KEYS = ['success', 'data', 'code', 'message'];

/** Every value of `key` anywhere inside `node`. */
function collect(node: unknown, key: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(node)) node.forEach((item) => collect(item, key, found));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) found.push(v);
      collect(v, key, found);
    }
  }
  return found;
}

describe('OpenAPI docs (e2e)', () => {
  let testApp: TestApp;
  let doc: Json;

  beforeAll(async () => {
    testApp = await createTestApp();
    const response = await request(testApp.app.getHttpServer()).get('/docs-json');
    expect(response.status).toBe(200);
    doc = response.body;
  });

  afterAll(async () => {
    await testApp?.close();
  });

  const schemaOf = (ref: string): Json => {
    const match = /^#\/components\/schemas\/(.+)$/.exec(ref);
    expect(match).not.toBeNull();
    const schema = doc.components?.schemas?.[decodeURIComponent(match![1])];
    expect({ ref, defined: schema !== undefined }).toEqual({ ref, defined: true });
    return schema;
  };

  it('is an OpenAPI 3 document with a title', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info?.title).toEqual(expect.any(String));
  });

  it.each([
    ['get', '/ping'],
    ['post', '/ping'],
    ['get', '/health'],
    ['post', '/paint/start'],
    ['post', '/paint/save'],
    ['post', '/generate'],
    ['get', '/sd/status'],
    ['get', '/experiments'],
    ['get', '/experiments/export'],
    ['get', '/experiments/{id}'],
    ['get', '/experiments/{id}/images/{imageId}'],
    ['get', '/users/{username}/experiments'],
  ])('documents %s %s', (method, path) => {
    expect(doc.paths?.[path]?.[method]).toBeDefined();
  });

  it('marks the research routes as needing the X-API-Key header', () => {
    expect(doc.components?.securitySchemes?.['research-key']).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    expect(doc.paths['/experiments'].get.security).toEqual([{ 'research-key': [] }]);
  });

  it.each([
    ['/paint/start', 'StartDto', ['username']],
    ['/paint/save', 'SaveDto', ['username', 'data']],
    ['/generate', 'GenerateDto', ['appid', 'type', 'prompts']],
  ])('POST %s takes a JSON body described by %s with its properties', (path, dto, properties) => {
    const body = doc.paths[path].post.requestBody;
    expect(body).toBeDefined();
    const ref: string = body.content?.['application/json']?.schema?.$ref;
    expect(ref).toBe(`#/components/schemas/${dto}`);
    const schema = schemaOf(ref);
    expect(Object.keys(schema.properties ?? {})).toEqual(expect.arrayContaining(properties));
    expect(schema.required ?? []).toEqual(expect.arrayContaining(properties));
  });

  it('describes the saved drawing down to a stroke point', () => {
    // SaveDto.data → DrawingDataDto.designSchemes → DesignSchemesDto.快速发散[] → SchemeDto.paths[] → CanvasPathDto.paths[] → PointDto
    const follow = (schema: Json, property: string): Json => {
      const prop = schema.properties?.[property];
      expect({ property, defined: prop !== undefined }).toEqual({ property, defined: true });
      const target = prop.items ?? prop.allOf?.[0] ?? prop;
      return target.$ref ? schemaOf(target.$ref) : target;
    };
    const save = schemaOf('#/components/schemas/SaveDto');
    const data = follow(save, 'data');
    expect(Object.keys(data.properties)).toEqual(expect.arrayContaining(['designTask', 'currentStage', 'designSchemes']));
    const stages = follow(data, 'designSchemes');
    const scheme = follow(stages, '快速发散');
    expect(Object.keys(scheme.properties)).toEqual(expect.arrayContaining(['name', 'paths', 'texts', 'canvasImage', 'canvasSvg']));
    const stroke = follow(scheme, 'paths');
    expect(Object.keys(stroke.properties)).toEqual(
      expect.arrayContaining(['drawMode', 'strokeColor', 'strokeWidth', 'paths', 'startTimestamp', 'endTimestamp']),
    );
    const point = follow(stroke, 'paths');
    expect(point.properties).toMatchObject({ x: { type: 'number' }, y: { type: 'number' } });
  });

  it('describes what /paint/start returns', () => {
    const schema = doc.paths['/paint/start'].post.responses['200'].content['application/json'].schema;
    const state = schemaOf(schema.properties.data.$ref);
    expect(Object.keys(state.properties)).toEqual(
      expect.arrayContaining(['_id', 'username', 'currentStage', 'designTask', 'rapidDivergenceSchemes', 'deepDivergenceSchemes', 'convergenceSchemes']),
    );
  });

  it('has no dangling $ref', () => {
    for (const ref of collect(doc, '$ref') as string[]) schemaOf(ref);
  });

  it.each([
    ['get', '/health'],
    ['post', '/paint/start'],
    ['post', '/paint/save'],
    ['post', '/generate'],
  ])('%s %s answers in the documented envelope, with examples', (method, path) => {
    const operation = doc.paths[path][method];
    const responses: Json = operation.responses;
    expect(responses['200']).toBeDefined();
    const failures = Object.keys(responses).filter((status) => Number(status) >= 400);
    expect(failures.length).toBeGreaterThan(0);
    for (const [status, response] of Object.entries(responses)) {
      const schema = response.content?.['application/json']?.schema;
      expect({ status, schema: Object.keys(schema?.properties ?? {}) }).toEqual({ status, schema: expect.arrayContaining(ENVELOPE_KEYS) });
      expect(schema.properties.code.example).toEqual(Number(status) < 400 ? 0 : expect.any(Number));
      expect(schema.properties.success.example).toBe(Number(status) < 400);
    }
    expect(collect(operation, 'example').length).toBeGreaterThan(0);
  });

  it('gives realistic examples of the request fields', () => {
    const schemas = doc.components.schemas;
    expect(schemas.StartDto.properties.username.example).toEqual(expect.any(String));
    expect(schemas.GenerateDto.properties.appid.example).toBe(0);
    expect(schemas.GenerateDto.properties.prompts.example).toEqual(expect.any(Object));
  });

  it('lists the rate limit (429) on every limited route, and not on /ping or /health', () => {
    const limited: [string, string][] = [
      ['post', '/generate'],
      ['get', '/experiments'],
      ['get', '/experiments/export'],
      ['get', '/experiments/{id}'],
      ['get', '/experiments/{id}/images/{imageId}'],
      ['get', '/users/{username}/experiments'],
    ];
    for (const [method, path] of limited) {
      const response = doc.paths[path][method].responses['429'];
      expect({ path, documented: response !== undefined }).toEqual({ path, documented: true });
      expect(response.description).toMatch(/Retry-After/);
      expect(response.content['application/json'].schema.properties.code.example).toBe(1);
    }
    for (const [method, path] of [['get', '/ping'], ['post', '/ping'], ['get', '/health']]) {
      expect({ path, method, documented: doc.paths[path][method].responses['429'] !== undefined }).toEqual({ path, method, documented: false });
    }
  });

  it('lists 413 on /generate, whose body has its own limit', () => {
    expect(doc.paths['/generate'].post.responses['413'].content['application/json'].schema.properties.message.example).toMatch(/GENERATE_BODY_LIMIT/);
  });

  it('documents that an experiment image is served as the image type its bytes prove', () => {
    const content = doc.paths['/experiments/{id}/images/{imageId}'].get.responses['200']?.content ?? {};
    expect(Object.keys(content).sort()).toEqual(['image/jpeg', 'image/png', 'image/webp']);
  });

  it('serves the Swagger UI at /docs', async () => {
    const response = await request(testApp.app.getHttpServer()).get('/docs').redirects(2);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.text).toMatch(/swagger-ui/i);
  });

  it("works under the page's Content-Security-Policy: every script is a same-origin file that is served, none inline", async () => {
    const server = testApp.app.getHttpServer();
    const page = await request(server).get('/docs').redirects(2);
    const csp: string = page.headers['content-security-policy'];
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    // The page's own <style> blocks need inline styles.
    expect(csp).toMatch(/style-src [^;]*'unsafe-inline'/);

    const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const [, attributes, body] of scripts) {
      expect(body.trim()).toBe('');
      const src = /\bsrc=["']([^"']+)["']/.exec(attributes)?.[1];
      expect({ attributes, src }).toEqual({ attributes, src: expect.stringMatching(/^\.?\/docs\/[\w.-]+\.js$/) });
      const script = await request(server).get(`/${src!.replace(/^\.?\//, '')}`);
      expect({ src, status: script.status, type: script.headers['content-type'] }).toEqual({
        src,
        status: 200,
        type: expect.stringMatching(/javascript/),
      });
    }
    expect(page.text).not.toMatch(/\son\w+\s*=/i);
  });
});
