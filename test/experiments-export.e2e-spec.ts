/**
 * GET /experiments/export in its three formats, for a few hundred records made by real
 * /generate calls against the simulators. Every export is checked by parsing what came back:
 * the JSONL line by line, the CSV with a quote-aware parser, the zip unzipped and its PNGs decoded.
 */
import request from 'supertest';
import type { Response } from 'supertest';
import { PNG } from 'pngjs';
import yauzl from 'yauzl';
import { uniqueName } from './support/builders';
import { createTestApp, TestApp } from './support/test-app';
import { binary } from './support/http';
import { sketchDataUrl, startSims, type Sims } from './support/simulators';

const KEY = 'research-key-for-the-export-tests';
const TASK = '设计一款运动辅助产品';
/** Quick type-0 runs (one image each) and type-1 runs (three images and a sketch each). */
const QUICK_RUNS = 250;
const SKETCHED_RUNS = 6;
const CONCURRENCY = 10;
const CSV_COLUMNS = ['experimentId', 'step', 'prompt', 'output', 'durationMs', 'stepStatus'];

interface ExportedStep {
  name: string;
  deps: string[];
  prompt?: string;
  rawOutput?: string;
  durationMs?: number;
  status: string;
}

interface ExportedImage {
  imageId: string;
  step: string;
  index: number;
  removed?: boolean;
}

interface Exported {
  id: string;
  username?: string;
  type: number;
  status: string;
  steps: ExportedStep[];
  images: ExportedImage[];
  inputs: Record<string, unknown>;
}


/**
 * RFC 4180 CSV: fields separated by commas, records by LF or CRLF; a quoted field may hold
 * commas, newlines and doubled quotes. A leading byte-order mark is skipped.
 */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.startsWith('\uFEFF') ? 1 : 0;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      endField();
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      endRow();
    } else {
      field += c;
    }
  }
  if (quoted) throw new Error('CSV ends inside a quoted field');
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** Every entry of a zip, by name, with its bytes. */
function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, archive) => {
      if (error || !archive) return reject(error ?? new Error('no archive'));
      const entries = new Map<string, Buffer>();
      archive.on('error', reject);
      archive.on('end', () => resolve(entries));
      archive.on('entry', (entry: yauzl.Entry) => {
        if (entries.has(entry.fileName)) return reject(new Error(`duplicate entry ${entry.fileName}`));
        archive.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            archive.readEntry();
          });
        });
      });
      archive.readEntry();
    });
  });
}

function parseJsonl(text: string): Exported[] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, index) => {
      try {
        return JSON.parse(line) as Exported;
      } catch (error) {
        throw new Error(`line ${index + 1} is not JSON: ${(error as Error).message}: ${line.slice(0, 80)}`);
      }
    });
}

/** The zip entry name each stored image should have. */
function entryName(record: Exported, image: ExportedImage): string {
  return `images/${record.id}/${image.step === 'input' ? `input-${image.index}` : `${image.step}-${image.index}`}.png`;
}

/** Runs `tasks` with at most `limit` at once. */
async function bounded<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
/**
 * The zip export reads each image with its own GridFS download; on the test database (FerretDB
 * over SQLite, which scans the chunks collection for every download) that costs time growing
 * with the number of stored images, so the zip tests get a longer timeout than the default.
 */
const ZIP_TIMEOUT_MS = 300_000;

describe('experiment export (e2e, simulators, a few hundred records)', () => {
  let sims: Sims;
  let testApp: TestApp;
  let server: ReturnType<TestApp['app']['getHttpServer']>;
  const heavy = uniqueName('heavy');
  const light = uniqueName('light');
  const sketch = sketchDataUrl(60);
  /** Every record id, newest first, as the list route pages them. */
  let listed: string[] = [];
  let lightIds: string[] = [];
  const report: Record<string, string | number> = {};

  const get = (path: string) => request(server).get(path).set('X-API-Key', KEY).buffer(true).parse(binary);

  async function listAll(query = ''): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const response: Response = await request(server)
        .get(`/experiments?limit=200${query}${cursor ? `&cursor=${cursor}` : ''}`)
        .set('X-API-Key', KEY);
      expect(response.status).toBe(200);
      ids.push(...(response.body.data.items as { _id: string }[]).map((item) => item._id));
      cursor = response.body.data.nextCursor;
    } while (cursor);
    return ids;
  }

  async function exported(format: string, query = ''): Promise<{ body: Buffer; response: Response }> {
    const started = performance.now();
    const response = await get(`/experiments/export?format=${format}${query}`);
    report[`${format}${query} ms`] = Math.round(performance.now() - started);
    expect(response.status).toBe(200);
    expect(response.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="experiments-[^"]+\\.${format}"$`));
    return { body: response.body as Buffer, response };
  }

  beforeAll(async () => {
    sims = await startSims({ sdCount: 3, gpt: { latencyMs: 0 }, sd: { latencyMs: 0 } });
    testApp = await createTestApp({ ...sims.env, RESEARCH_API_KEY: KEY });
    server = testApp.app.getHttpServer();

    const generate = (username: string, type: number, prompts: Record<string, unknown>) => async () => {
      const response = await request(server).post('/generate').set('X-InsPilot-User', username).send({ appid: 0, type, prompts });
      if (response.status !== 200 || !response.body.success) throw new Error(`generation failed: ${JSON.stringify(response.body)}`);
    };
    const tasks = [
      ...Array.from({ length: QUICK_RUNS }, (_, i) => generate(i % 5 === 0 ? light : heavy, 0, { task: `${TASK} ${i}`, num: 1 })),
      ...Array.from({ length: SKETCHED_RUNS }, (_, i) =>
        generate(i % 2 === 0 ? light : heavy, 1, { designTask: TASK, designTexts: ['可折叠', `第${i}稿`], designImage: sketch, schemeId: i }),
      ),
    ];
    const started = performance.now();
    await bounded(tasks, CONCURRENCY);
    report.records = tasks.length;
    report.generationMs = Math.round(performance.now() - started);

    listed = await listAll();
    lightIds = await listAll(`&username=${light}`);
  }, ZIP_TIMEOUT_MS);

  afterAll(async () => {
    // eslint-disable-next-line no-console
    console.log(`experiment export report: ${JSON.stringify(report)}`);
    await testApp?.close();
    await sims?.closeAll();
  });

  it('has one record per generation', () => {
    expect(listed).toHaveLength(QUICK_RUNS + SKETCHED_RUNS);
    expect(new Set(listed).size).toBe(listed.length);
    expect(lightIds).toHaveLength(QUICK_RUNS / 5 + SKETCHED_RUNS / 2);
  });

  it('jsonl: one parseable line per record, the same records as the list, newest first', async () => {
    const { body, response } = await exported('jsonl');
    expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
    report.jsonlBytes = body.length;
    report.jsonlSize = kib(body.length);
    const records = parseJsonl(body.toString('utf8'));
    expect(records).toHaveLength(listed.length);
    expect(records.map((record) => record.id)).toEqual(listed);
    const type0Steps = ['abstracts', 'images', 'products', 'scenes', 'sdPrompts'];
    for (const record of records) {
      expect(record.status).toBe('succeeded');
      const names = record.steps.map((step) => step.name);
      expect([...names].sort()).toEqual(record.type === 0 ? type0Steps : [...type0Steps, 'concretes', 'name'].sort());
      // Steps in dependency order.
      record.steps.forEach((step, index) => step.deps.forEach((dep) => expect(names.indexOf(dep)).toBeLessThan(index)));
      expect(record.images.filter((image) => image.step !== 'input')).toHaveLength(record.type === 0 ? 1 : 3);
    }
    // No image bytes in the JSONL: sketches and pictures are referred to by id.
    expect(body.toString('utf8')).not.toContain('data:image/png;base64');
    expect(body.length / records.length).toBeLessThan(50_000);
  });

  it('csv: a header and one row per step, with the named columns matching the JSONL', async () => {
    const records = parseJsonl((await exported('jsonl')).body.toString('utf8'));
    const { body, response } = await exported('csv');
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    report.csvBytes = body.length;
    report.csvSize = kib(body.length);
    const rows = parseCsv(body.toString('utf8'));
    const [header, ...data] = rows;
    expect(header).toEqual(expect.arrayContaining(CSV_COLUMNS));
    const totalSteps = records.reduce((sum, record) => sum + record.steps.length, 0);
    expect(data).toHaveLength(totalSteps);
    report.csvRows = data.length;
    for (const row of data) expect(row).toHaveLength(header.length);

    const column = Object.fromEntries(header.map((name, index) => [name, index]));
    const rowsOf = new Map<string, string[][]>();
    for (const row of data) {
      const id = row[column.experimentId];
      rowsOf.set(id, [...(rowsOf.get(id) ?? []), row]);
    }
    expect([...rowsOf.keys()].sort()).toEqual([...listed].sort());
    let promptsWithSpecialCharacters = 0;
    for (const record of records) {
      const stepRows = rowsOf.get(record.id)!;
      expect(stepRows.map((row) => row[column.step])).toEqual(record.steps.map((step) => step.name));
      record.steps.forEach((step, index) => {
        const row = stepRows[index];
        expect(row[column.prompt]).toBe(step.prompt ?? '');
        expect(row[column.output]).toBe(step.rawOutput ?? '');
        expect(row[column.stepStatus]).toBe(step.status);
        expect(row[column.durationMs]).toBe(step.durationMs === undefined ? '' : String(step.durationMs));
        if (/[\n,"]/.test(step.prompt ?? '')) promptsWithSpecialCharacters += 1;
      });
    }
    // The prompts are multi-line text: the parser was really exercised on quoted fields.
    expect(promptsWithSpecialCharacters).toBeGreaterThan(0);
  });

  it('zip: experiments.jsonl and every stored image as a PNG that decodes, named by experiment and step', async () => {
    const { body, response } = await exported('zip');
    expect(response.headers['content-type']).toMatch(/^application\/zip/);
    report.zipBytes = body.length;
    report.zipSize = kib(body.length);
    const entries = await unzip(body);
    expect(entries.has('experiments.jsonl')).toBe(true);
    const records = parseJsonl(entries.get('experiments.jsonl')!.toString('utf8'));
    expect(records.map((record) => record.id)).toEqual(listed);

    const expectedNames = records.flatMap((record) => record.images.filter((image) => !image.removed).map((image) => entryName(record, image)));
    const pngNames = [...entries.keys()].filter((name) => name !== 'experiments.jsonl');
    expect(pngNames.every((name) => name.endsWith('.png'))).toBe(true);
    expect(pngNames).toHaveLength(expectedNames.length);
    expect(new Set(pngNames)).toEqual(new Set(expectedNames));
    expect(pngNames).toHaveLength(QUICK_RUNS + SKETCHED_RUNS * 4);
    report.zipImages = pngNames.length;

    const sketchBytes = Buffer.from(sketch.slice(sketch.indexOf(',') + 1), 'base64');
    let inputs = 0;
    for (const name of pngNames) {
      const bytes = entries.get(name)!;
      const png = PNG.sync.read(bytes);
      if (/\/input-\d+\.png$/.test(name)) {
        inputs += 1;
        expect(bytes.equals(sketchBytes)).toBe(true);
      } else {
        expect({ name, width: png.width, height: png.height }).toEqual({ name, width: 1024, height: 576 });
      }
    }
    expect(inputs).toBe(SKETCHED_RUNS);
  }, ZIP_TIMEOUT_MS);

  it('applies the filters to every format', async () => {
    const query = `&username=${light}`;
    const records = parseJsonl((await exported('jsonl', query)).body.toString('utf8'));
    expect(records.map((record) => record.id)).toEqual(lightIds);
    expect(records.every((record) => record.username === light)).toBe(true);

    const [header, ...rows] = parseCsv((await exported('csv', query)).body.toString('utf8'));
    const idColumn = header.indexOf('experimentId');
    expect(rows).toHaveLength(records.reduce((sum, record) => sum + record.steps.length, 0));
    expect(new Set(rows.map((row) => row[idColumn]))).toEqual(new Set(lightIds));

    const entries = await unzip((await exported('zip', query)).body);
    const inZip = parseJsonl(entries.get('experiments.jsonl')!.toString('utf8'));
    expect(inZip.map((record) => record.id)).toEqual(lightIds);
    const pngNames = [...entries.keys()].filter((name) => name !== 'experiments.jsonl');
    expect(new Set(pngNames)).toEqual(new Set(inZip.flatMap((record) => record.images.map((image) => entryName(record, image)))));
    const folders = new Set(pngNames.map((name) => name.split('/')[1]));
    expect([...folders].every((id) => lightIds.includes(id))).toBe(true);

    // Type and time filters too.
    const sketched = parseJsonl((await exported('jsonl', '&type=1')).body.toString('utf8'));
    expect(sketched).toHaveLength(SKETCHED_RUNS);
    const none = await exported('jsonl', `&to=2000-01-01T00:00:00Z`);
    expect(none.body.length).toBe(0);
  }, ZIP_TIMEOUT_MS);

  it('answers an empty export with an empty JSONL, a header-only CSV and a zip holding only an empty experiments.jsonl', async () => {
    const query = `&username=${uniqueName('nobody')}`;
    expect((await exported('jsonl', query)).body.length).toBe(0);
    const csv = parseCsv((await exported('csv', query)).body.toString('utf8'));
    expect(csv).toHaveLength(1);
    expect(csv[0]).toEqual(expect.arrayContaining(CSV_COLUMNS));
    const entries = await unzip((await exported('zip', query)).body);
    expect([...entries.keys()]).toEqual(['experiments.jsonl']);
    expect(entries.get('experiments.jsonl')!.length).toBe(0);
  });

  it('refuses an unknown format or a bad filter with 400 naming the field', async () => {
    for (const [query, field] of [
      ['format=xml', 'format'],
      ['format=csv&status=finished', 'status'],
      ['format=zip&from=someday', 'from'],
    ]) {
      const response = await request(server).get(`/experiments/export?${query}`).set('X-API-Key', KEY);
      expect({ query, status: response.status, success: response.body.success, code: response.body.code }).toEqual({
        query,
        status: 400,
        success: false,
        code: 1,
      });
      expect(response.body.message).toMatch(new RegExp(`\\b${field}\\b.*\\bmust\\b`));
    }
  });
});
