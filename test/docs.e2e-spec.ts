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
    ['get', '/metrics'],
  ])('documents %s %s', (method, path) => {
    expect(doc.paths?.[path]?.[method]).toBeDefined();
  });

  it('documents /metrics as Prometheus text behind the optional bearer token, its refusal in the envelope', () => {
    const operation = doc.paths['/metrics'].get;
    expect(operation.security).toEqual([{ 'metrics-token': [] }]);
    expect(doc.components.securitySchemes['metrics-token']).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(operation.responses['200'].content)).toEqual(['text/plain']);
    expect(operation.responses['401'].content['application/json'].schema.properties.message.example).toMatch(/METRICS_TOKEN/);
  });

  it('marks the research routes as needing the X-API-Key header', () => {
    expect(doc.components?.securitySchemes?.['research-key']).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    expect(doc.paths['/experiments'].get.security).toEqual([{ 'research-key': [] }]);
  });

  it.each([
    ['/paint/start', 'StartDto', ['username']],
    ['/paint/save', 'SaveDto', ['username', 'data']],
  ])('POST %s takes a JSON body described by %s with its properties', (path, dto, properties) => {
    const body = doc.paths[path].post.requestBody;
    expect(body).toBeDefined();
    const ref: string = body.content?.['application/json']?.schema?.$ref;
    expect(ref).toBe(`#/components/schemas/${dto}`);
    const schema = schemaOf(ref);
    expect(Object.keys(schema.properties ?? {})).toEqual(expect.arrayContaining(properties));
    expect(schema.required ?? []).toEqual(expect.arrayContaining(properties));
  });

  describe('/generate, per app and type', () => {
    const PAINT_TYPES: [number, string, string, string[]][] = [
      [0, 'rapid-divergence', 'RapidDivergence', ['task', 'num']],
      [1, 'deep-divergence', 'DeepDivergence', ['designTask', 'designTexts', 'designImage', 'schemeId']],
      [2, 'convergence-naming', 'ConvergenceNaming', ['designTask', 'schemes', 'selectNum']],
      [3, 'convergence-combination', 'ConvergenceCombination', ['selectedSchemes', 'num']],
    ];
    const body = () => doc.paths['/generate'].post.requestBody.content['application/json'];

    it('takes one of the request schemas of the registered types', () => {
      expect(body().schema.oneOf.map((ref: Json) => ref.$ref)).toEqual(
        PAINT_TYPES.map(([, , name]) => `#/components/schemas/Paint${name}Request`),
      );
    });

    it('documents POST /jobs with the same request schemas and examples', () => {
      expect(doc.paths['/jobs'].post.requestBody.content['application/json']).toEqual(body());
    });

    it.each(PAINT_TYPES)('documents type %i (%s): its app and type fixed, its prompts with their fields and limits', (type, name, schema, fields) => {
      const requestSchema = schemaOf(`#/components/schemas/Paint${schema}Request`);
      expect(requestSchema.title).toBe(`paint · ${type} ${name}`);
      expect(requestSchema.required).toEqual(['appid', 'type', 'prompts']);
      expect(requestSchema.properties.appid.enum).toEqual([0]);
      expect(requestSchema.properties.type.enum).toEqual([type]);
      const prompts = schemaOf(requestSchema.properties.prompts.$ref);
      expect(requestSchema.properties.prompts.$ref).toBe(`#/components/schemas/${schema}Input`);
      expect(Object.keys(prompts.properties)).toEqual(expect.arrayContaining(fields));
      const data = schemaOf(`#/components/schemas/${schema}Output`);
      expect(Object.keys(data.properties).length).toBeGreaterThan(0);
    });

    it('states the limits of the inputs', () => {
      const rapid = schemaOf('#/components/schemas/RapidDivergenceInput');
      expect(rapid.properties.num).toMatchObject({ minimum: 1, maximum: 20 });
      expect(rapid.properties.task).toMatchObject({ maxLength: 2000 });
      expect(schemaOf('#/components/schemas/ConvergenceCombinationInput').properties.num).toMatchObject({ minimum: 1, maximum: 10 });
      expect(schemaOf('#/components/schemas/ConvergenceNamingInput').properties.schemes).toMatchObject({ minItems: 1 });
    });

    it('offers a named example per type, each a request of that type', () => {
      const examples: Json = body().examples;
      expect(Object.keys(examples)).toEqual(PAINT_TYPES.map(([type]) => `paint-${type}`));
      for (const [type, name, , fields] of PAINT_TYPES) {
        const example = examples[`paint-${type}`];
        expect(example.summary).toBe(`paint · ${type} ${name}`);
        expect(example.value).toMatchObject({ appid: 0, type });
        const required: string[] = schemaOf(`#/components/schemas/${PAINT_TYPES[type][2]}Input`).required;
        expect(Object.keys(example.value.prompts)).toEqual(expect.arrayContaining(required));
        expect(fields).toEqual(expect.arrayContaining(Object.keys(example.value.prompts)));
      }
    });

    it("answers the data of one of the types' output schemas, creatives down to their items", () => {
      const answer = doc.paths['/generate'].post.responses['200'].content['application/json'].schema;
      expect(answer.properties.data.oneOf.map((ref: Json) => ref.$ref)).toEqual(
        PAINT_TYPES.map(([, , name]) => `#/components/schemas/${name}Output`),
      );
      expect(Object.keys(schemaOf('#/components/schemas/ConvergenceNamingOutput').properties)).toEqual(['names', 'selected']);
      const creative = schemaOf(schemaOf('#/components/schemas/RapidDivergenceOutput').properties.result.items.$ref);
      expect(Object.keys(creative.properties)).toEqual(['type', 'displayType', 'items']);
      const item = schemaOf(creative.properties.items.items.$ref);
      expect(item.required).toEqual(['type', 'text', 'image', 'combinations']);
      expect(item.properties.type.enum).toEqual(['abstractText', 'concreteText', 'abstractImage', 'concreteImage', 'groupTypeOne', 'groupTypeTwo']);
      expect(item.properties.combinations).toMatchObject({ nullable: true, items: { $ref: creative.properties.items.items.$ref } });
    });

    it('lists each app with its APP_ID and types at GET /apps, naming schemas of the document', async () => {
      const response = await request(testApp.app.getHttpServer()).get('/apps');
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual([
        {
          appid: 0,
          name: 'paint',
          types: PAINT_TYPES.map(([type, name, schema]) => ({
            type,
            name,
            summary: expect.stringMatching(/\w/),
            request: `Paint${schema}Request`,
            prompts: `${schema}Input`,
            data: `${schema}Output`,
          })),
        },
      ]);
      for (const { request: requestName, prompts, data } of response.body.data[0].types) {
        for (const name of [requestName, prompts, data]) schemaOf(`#/components/schemas/${name}`);
      }
      expect(doc.paths['/apps'].get.responses['200'].content['application/json'].schema.properties.data.items.$ref).toBe('#/components/schemas/AppDto');
    });
  });

  it('documents every failure a route answers, in the envelope', () => {
    const expected: [string, string, number[]][] = [
      ['post', '/paint/start', [400, 413, 429, 503]],
      ['post', '/paint/save', [400, 404, 413, 429, 503]],
      ['post', '/generate', [400, 413, 429, 502, 503, 504]],
      ['get', '/apps', [429]],
      ['get', '/sd/status', [429, 503]],
      ['get', '/health', [503]],
      ['get', '/experiments', [400, 401, 403, 429, 503]],
      ['get', '/experiments/export', [400, 401, 403, 429, 503]],
      ['get', '/experiments/{id}', [400, 401, 403, 404, 429, 503]],
      ['get', '/experiments/{id}/images/{imageId}', [400, 401, 403, 404, 429, 503]],
      ['get', '/users/{username}/experiments', [400, 401, 403, 429, 503]],
    ];
    for (const [method, path, statuses] of expected) {
      const responses: Json = doc.paths[path][method].responses;
      const failures = Object.keys(responses).filter((status) => Number(status) >= 400).map(Number).sort();
      expect({ path, failures }).toEqual({ path, failures: statuses });
      for (const status of statuses) {
        const schema = responses[status].content['application/json'].schema;
        expect(schema.properties.success.example).toBe(false);
        expect(schema.properties.code.example).toBeGreaterThan(0);
        expect(schema.properties.message.example).toEqual(expect.stringMatching(/\w/));
      }
    }
  });

  it('marks every research route with the X-API-Key scheme', () => {
    const research = Object.entries(doc.paths as Json).filter(([path]) => path.startsWith('/experiments') || path.startsWith('/users/'));
    expect(research.length).toBe(5);
    for (const [path, item] of research) expect({ path, security: item.get.security }).toEqual({ path, security: [{ 'research-key': [] }] });
  });

  it('documents /ping as the plain text it answers', () => {
    for (const method of ['get', 'post']) {
      const content = doc.paths['/ping'][method].responses['200'].content;
      expect(Object.keys(content)).toEqual(['text/plain']);
      expect(content['text/plain'].schema).toMatchObject({ type: 'string', example: 'pong' });
    }
  });

  it('documents the stage keys the front end sends as null', () => {
    const stages = schemaOf('#/components/schemas/DesignSchemesDto').properties;
    for (const stage of ['准备', '完成', '禁止']) expect(stages[stage]).toMatchObject({ nullable: true, example: null, description: expect.stringMatching(/null/) });
    expect(schemaOf('#/components/schemas/DrawingDataDto').properties.currentStage.enum).toEqual(expect.arrayContaining(['准备', '快速发散', '完成', '禁止']));
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
