/**
 * How drawing states are stored: what a request reads and writes (only its own user's
 * documents, each by `_id`), the collection of replaced sketches, the move of states stored by
 * the earlier layout, and the blob store's files (both layouts) as the experiments use them.
 */
import request from 'supertest';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { mongo, Types } from 'mongoose';
import { SketchStore } from '../src/storage/sketch-store.service';
import { participantId } from '../src/users/participant-id';
import { aPngDataUrl, aRandomDataUrl, aSaveBody, aScheme, aSvg, SaveBody, uniqueName } from './support/builders';
import { createTestApp, isolatedDatabaseUri, TestApp } from './support/test-app';

/** A database of the test's own, whose client reports every command it sends. */
function monitoredUri(): string {
  const uri = new URL(isolatedDatabaseUri());
  uri.searchParams.set('monitorCommands', 'true');
  return uri.toString();
}

interface Command {
  name: string;
  collection: string;
  body: Record<string, unknown>;
}

/** Records the commands the app sends to its database while `run` runs. */
async function commandsDuring(testApp: TestApp, run: () => Promise<unknown>): Promise<Command[]> {
  const client = testApp.connection.getClient();
  const seen: Command[] = [];
  const record = (event: { commandName: string; command: Record<string, unknown> }) => {
    if (event.commandName === 'endSessions') return;
    seen.push({ name: event.commandName, collection: String(event.command[event.commandName]), body: event.command });
  };
  client.on('commandStarted', record);
  try {
    await run();
  } finally {
    client.off('commandStarted', record);
  }
  return seen;
}

/** Every document a command selects or inserts, as the filters and documents it sends. */
function touched(command: Command): Array<{ filter?: Record<string, unknown>; inserted?: unknown }> {
  switch (command.name) {
    case 'find':
      return [{ filter: command.body.filter as Record<string, unknown> }];
    case 'update':
      return (command.body.updates as Array<{ q: Record<string, unknown> }>).map((update) => ({ filter: update.q }));
    case 'delete':
      return (command.body.deletes as Array<{ q: Record<string, unknown> }>).map((del) => ({ filter: del.q }));
    case 'insert':
      return (command.body.documents as Array<{ _id: unknown }>).map((doc) => ({ inserted: doc._id }));
    default:
      throw new Error(`Unexpected command ${command.name} on ${command.collection}`);
  }
}

/** The user's own: the participant's `_id`, or a blob (or blob chunk) id under it. */
function isOwnId(value: unknown, id: string): boolean {
  if (value instanceof mongo.ObjectId) return value.toHexString() === id;
  return typeof value === 'string' && value.startsWith(`${id}:`);
}

function expectOnlyOwnDocumentsById(commands: Command[], id: string) {
  expect(commands.length).toBeGreaterThan(0);
  for (const command of commands) {
    for (const { filter, inserted } of touched(command)) {
      if (filter) {
        // Exactly `{ _id: <value> }`: the one filter the embedded database answers from an index.
        expect({ collection: command.collection, keys: Object.keys(filter) }).toEqual({ collection: command.collection, keys: ['_id'] });
        expect({ collection: command.collection, own: isOwnId(filter._id, id) }).toEqual({ collection: command.collection, own: true });
      } else {
        expect({ collection: command.collection, own: isOwnId(inserted, id) }).toEqual({ collection: command.collection, own: true });
      }
    }
  }
}

const writes = (commands: Command[]) => commands.filter((command) => ['insert', 'update', 'delete'].includes(command.name));

function expectedState(id: string, body: SaveBody) {
  return {
    _id: id,
    username: body.username,
    currentStage: body.data.currentStage,
    designTask: body.data.designTask,
    rapidDivergenceSchemes: body.data.designSchemes['快速发散'],
    deepDivergenceSchemes: body.data.designSchemes['深入发散'],
    convergenceSchemes: body.data.designSchemes['收敛'],
  };
}

function client(testApp: TestApp) {
  const server = testApp.app.getHttpServer();
  return {
    async start(username: string) {
      const response = await request(server).post('/paint/start').send({ username });
      expect(response.status).toBe(200);
      return response.body.data;
    },
    async save(body: SaveBody) {
      const response = await request(server).post('/paint/save').send(body);
      expect(response.body).toEqual({ success: true, data: null, code: 0, message: '' });
    },
  };
}

const blobId = (owner: string, sketch: string) => `${owner}:${createHash('sha256').update(JSON.stringify(sketch)).digest('hex')}`;

describe('what a request reads and writes (e2e)', () => {
  let testApp: TestApp;
  let paint: ReturnType<typeof client>;

  beforeAll(async () => {
    // No blobs kept in memory, so every read shows.
    testApp = await createTestApp({ MONGODB_URI: monitoredUri(), SKETCH_GC_GRACE_MS: '60000', SKETCH_CACHE_MB: '0' });
    paint = client(testApp);
    // Other users' states, which a small user's requests must not read.
    for (let i = 0; i < 4; i++) {
      const username = uniqueName('other');
      await paint.start(username);
      await paint.save(aSaveBody(username, { schemes: { 快速发散: [aScheme({ canvasImage: aRandomDataUrl(60_000) }), aScheme({ name: '2', canvasImage: aRandomDataUrl(60_000) })] } }));
    }
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('/paint/start of a small user reads only that user’s documents, each by _id alone', async () => {
    const username = uniqueName('small');
    const { _id } = await paint.start(username);
    await paint.save(aSaveBody(username, { schemes: { 快速发散: [aScheme({ canvasImage: aPngDataUrl() })] } }));

    const commands = await commandsDuring(testApp, () => paint.start(username));
    expectOnlyOwnDocumentsById(commands, _id);
    expect(writes(commands)).toEqual([]);
    // The state, then its blobs (the scheme's text, its sketch, its SVG): nothing else.
    expect(commands.map((command) => command.collection).sort()).toEqual(['paint_states', 'sketches.chunks', 'sketches.chunks', 'sketches.chunks']);
  });

  it('/paint/start of a first visit and /paint/save touch only that user’s documents, each by _id alone', async () => {
    const username = uniqueName('fresh');
    const id = participantId(username).toHexString();
    const body = aSaveBody(username, { schemes: { 快速发散: [aScheme({ canvasImage: aRandomDataUrl(3000) })], 收敛: [aScheme({ name: '收', canvasImage: aPngDataUrl() })] } });

    expectOnlyOwnDocumentsById(await commandsDuring(testApp, () => paint.start(username)), id);
    expectOnlyOwnDocumentsById(await commandsDuring(testApp, () => paint.save(body)), id);
    expect(await paint.start(username)).toEqual(expectedState(id, body));
  });

  it('an autosave that changed nothing writes the state document and nothing else', async () => {
    const username = uniqueName('autosave');
    const { _id } = await paint.start(username);
    const body = aSaveBody(username, { schemes: { 快速发散: [aScheme({ canvasImage: aRandomDataUrl(20_000) }), aScheme({ name: '2' })] } });
    await paint.save(body);

    const commands = await commandsDuring(testApp, () => paint.save(body));
    expectOnlyOwnDocumentsById(commands, _id);
    expect(writes(commands).map((command) => command.collection)).toEqual(['paint_states']);
    expect(await paint.start(username)).toEqual(expectedState(_id, body));
  });
});

describe('blobs kept in memory (e2e)', () => {
  let testApp: TestApp;
  let paint: ReturnType<typeof client>;

  beforeAll(async () => {
    testApp = await createTestApp({ MONGODB_URI: monitoredUri(), SKETCH_CACHE_MB: '16' });
    paint = client(testApp);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('a start after a save reads the state document alone, and returns the state exactly', async () => {
    const username = uniqueName('cached');
    const { _id } = await paint.start(username);
    const body = aSaveBody(username, { schemes: { 快速发散: [aScheme({ canvasImage: aRandomDataUrl(50_000) })], 收敛: [aScheme({ name: '收' })] } });
    await paint.save(body);

    let state: unknown;
    const commands = await commandsDuring(testApp, async () => (state = await paint.start(username)));
    expect(commands.map((command) => [command.name, command.collection])).toEqual([['find', 'paint_states']]);
    expect(state).toEqual(expectedState(_id, body));
  });

  it('a file too large for it is read from the database every time', async () => {
    const username = uniqueName('large');
    const { _id } = await paint.start(username);
    // Over a quarter of 16 MB.
    const body = aSaveBody(username, { schemes: { 快速发散: [aScheme({ canvasImage: aRandomDataUrl(4.5 * 1024 * 1024) })] } });
    await paint.save(body);

    let state: unknown;
    const commands = await commandsDuring(testApp, async () => (state = await paint.start(username)));
    expect(commands.filter((command) => command.collection === 'sketches.chunks')).toHaveLength(5);
    expect(state).toEqual(expectedState(_id, body));
  });
});

describe('collecting replaced sketches (e2e)', () => {
  const GRACE_MS = 300;
  let testApp: TestApp;
  let paint: ReturnType<typeof client>;

  beforeAll(async () => {
    testApp = await createTestApp({ MONGODB_URI: monitoredUri(), SKETCH_GC_GRACE_MS: String(GRACE_MS) });
    paint = client(testApp);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  const fileIds = async (owner: string) =>
    (await testApp.connection.db!.collection('sketches.files').find({ 'metadata.owner': owner }).toArray()).map((file) => String(file._id));
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('keeps a replaced sketch for the grace period, then deletes it with the next save', async () => {
    const username = uniqueName('grace');
    const { _id } = await paint.start(username);
    const [a, b] = [aRandomDataUrl(5000), aRandomDataUrl(5000)];
    const withSketch = (canvasImage: string) => aSaveBody(username, { schemes: { 快速发散: [aScheme({ canvasImage, canvasSvg: undefined })] } });

    await paint.save(withSketch(a));
    await paint.save(withSketch(b));
    // Replaced, but within the grace period: a save running elsewhere may still rely on it.
    expect(await fileIds(_id)).toEqual(expect.arrayContaining([blobId(_id, a), blobId(_id, b)]));
    expect(await paint.start(username)).toEqual(expectedState(_id, withSketch(b)));

    await pause(GRACE_MS + 100);
    await paint.save(withSketch(b));
    const files = await fileIds(_id);
    expect(files).toContain(blobId(_id, b));
    expect(files).not.toContain(blobId(_id, a));
    // The scheme's text and its sketch: nothing left over.
    expect(files).toHaveLength(2);
    expect(await testApp.connection.db!.collection('sketches.chunks').countDocuments({ files_id: blobId(_id, a) })).toBe(0);
    expect(await paint.start(username)).toEqual(expectedState(_id, withSketch(b)));
  });

  it('marks the blobs a save keeps as used again once half the grace period has passed', async () => {
    const username = uniqueName('touch');
    const { _id } = await paint.start(username);
    const body = aSaveBody(username, { schemes: { 快速发散: [aScheme({ canvasImage: aRandomDataUrl(5000) })] } });
    await paint.save(body);
    await pause(GRACE_MS / 2 + 50);

    const commands = await commandsDuring(testApp, () => paint.save(body));
    const touches = writes(commands)
      .filter((command) => command.collection === 'sketches.files')
      .flatMap((command) => touched(command).map((doc) => doc.filter?._id));
    // The scheme's text, its sketch and its SVG; nothing rewritten.
    expect(touches).toHaveLength(3);
    expect(touches).toEqual(expect.arrayContaining([blobId(_id, body.data.designSchemes['快速发散']![0].canvasImage!), blobId(_id, aSvg())]));
    expect(writes(commands).filter((command) => command.name === 'insert')).toEqual([]);
  });
});

describe('states stored by the earlier layout (e2e)', () => {
  /** What the earlier version stored for one user: the users document and its GridFS sketches. */
  async function storeLegacyUser(db: mongo.Db, username: string, schemes: Record<string, Array<Record<string, unknown>>>) {
    const legacyId = new Types.ObjectId();
    const owner = legacyId.toHexString();
    const bucket = new mongo.GridFSBucket(db, { bucketName: 'sketches' });
    const stored: Record<string, unknown[]> = {};
    for (const [field, list] of Object.entries(schemes)) {
      stored[field] = [];
      for (const scheme of list) {
        const copy: Record<string, unknown> = { ...scheme };
        for (const key of ['canvasImage', 'canvasSvg']) {
          if (typeof copy[key] !== 'string') continue;
          const content = Buffer.from(copy[key] as string, 'utf8');
          const id = `${owner}:${createHash('sha256').update(content).digest('hex')}`;
          copy[key] = { blobId: id };
          if (await db.collection('sketches.files').findOne({ _id: id as never })) continue;
          await new Promise<void>((resolve, reject) =>
            Readable.from([content])
              .pipe(bucket.openUploadStreamWithId(id as never, id, { metadata: { owner, contentType: 'text/plain; charset=utf-8', lastUsedAt: new Date() } }))
              .once('finish', () => resolve())
              .once('error', reject),
          );
        }
        stored[field].push(copy);
      }
    }
    const now = new Date('2026-01-02T03:04:05Z');
    await db.collection('users').insertOne({
      _id: legacyId,
      username,
      currentStage: '深入发散',
      designTask: '设计一款运动辅助产品',
      rapidDivergenceSchemes: stored.rapidDivergenceSchemes ?? [],
      deepDivergenceSchemes: stored.deepDivergenceSchemes ?? [],
      convergenceSchemes: stored.convergenceSchemes ?? [],
      createdAt: now,
      updatedAt: now,
    });
    return { legacyId, owner };
  }

  /** Schemes as the front end sent them (JSON, so no undefined fields). */
  const schemesOf = (): Record<string, Array<Record<string, unknown>>> =>
    JSON.parse(
      JSON.stringify({
        rapidDivergenceSchemes: [aScheme({ name: '方案1', canvasImage: aRandomDataUrl(4000), extra: { liked: true, note: null } }), aScheme({ name: '方案2', canvasSvg: undefined })],
        deepDivergenceSchemes: [{ name: '方案3', paths: [], texts: [] }],
        convergenceSchemes: [],
      }),
    );

  it('moves them once at start-up, under the derived ids, exactly as they were; a second start does nothing', async () => {
    const uri = isolatedDatabaseUri();
    const seed = await new mongo.MongoClient(uri).connect();
    try {
      const db = seed.db();
      const schemes = schemesOf();
      const saved = await storeLegacyUser(db, 'legacy-alice', schemes);
      await db.collection('users').insertOne({ _id: new Types.ObjectId(), username: 'legacy-bob', currentStage: '准备', designTask: '', rapidDivergenceSchemes: [], deepDivergenceSchemes: [], convergenceSchemes: [] });

      const first = await createTestApp({ MONGODB_URI: uri });
      const aliceId = participantId('legacy-alice').toHexString();
      try {
        const state = await client(first).start('legacy-alice');
        expect(JSON.stringify(state)).toBe(
          JSON.stringify({ _id: aliceId, username: 'legacy-alice', currentStage: '深入发散', designTask: '设计一款运动辅助产品', ...schemes }),
        );
        expect(await client(first).start('legacy-bob')).toMatchObject({ _id: participantId('legacy-bob').toHexString(), rapidDivergenceSchemes: [] });
        // The old documents and sketches are gone; the users are under their derived ids.
        expect((await db.collection('users').find().toArray()).map((user) => String(user._id)).sort()).toEqual(
          [aliceId, participantId('legacy-bob').toHexString()].sort(),
        );
        expect(await db.collection('users').findOne({ _id: participantId('legacy-alice') })).toMatchObject({ createdAt: new Date('2026-01-02T03:04:05Z') });
        expect(await db.collection('sketches.files').countDocuments({ 'metadata.owner': saved.owner })).toBe(0);
        expect(await db.collection('sketches.chunks').countDocuments({ files_id: new RegExp(`^${saved.owner}:`) })).toBe(0);
      } finally {
        await first.app.close();
      }

      // A document of the old shape that appears now is not moved: the migration ran once.
      const late = await db.collection('users').insertOne({ _id: new Types.ObjectId(), username: 'legacy-late', rapidDivergenceSchemes: [] });
      const files = await db.collection('sketches.files').countDocuments();
      const second = await createTestApp({ MONGODB_URI: uri });
      try {
        expect(JSON.stringify(await client(second).start('legacy-alice'))).toBe(
          JSON.stringify({ _id: aliceId, username: 'legacy-alice', currentStage: '深入发散', designTask: '设计一款运动辅助产品', ...schemes }),
        );
        expect(await db.collection('users').findOne({ _id: late.insertedId })).not.toBeNull();
        expect(await db.collection('sketches.files').countDocuments()).toBe(files);
      } finally {
        await second.close();
      }
    } finally {
      await seed.close();
    }
  });

  it('finishes a move that stopped part-way, without losing or repeating anything', async () => {
    const uri = isolatedDatabaseUri();
    const seed = await new mongo.MongoClient(uri).connect();
    try {
      const db = seed.db();
      const schemes = schemesOf();
      await storeLegacyUser(db, 'legacy-carol', schemes);
      const first = await createTestApp({ MONGODB_URI: uri });
      await first.app.close();
      const carolId = participantId('legacy-carol');
      const moved = await db.collection('paint_states').findOne({ _id: carolId });
      expect(moved).not.toBeNull();

      // As if the first run had stopped after writing carol's new state: her old document and
      // sketches are back, her new user document is not there yet, and the run is not marked done.
      await db.collection('users').deleteOne({ _id: carolId });
      await storeLegacyUser(db, 'legacy-carol', schemes);
      await db.collection('migrations').deleteMany({});
      // And dave's was never started.
      await storeLegacyUser(db, 'legacy-dave', schemes);

      const second = await createTestApp({ MONGODB_URI: uri });
      try {
        const expected = (username: string) =>
          JSON.stringify({ _id: participantId(username).toHexString(), username, currentStage: '深入发散', designTask: '设计一款运动辅助产品', ...schemes });
        expect(JSON.stringify(await client(second).start('legacy-carol'))).toBe(expected('legacy-carol'));
        expect(JSON.stringify(await client(second).start('legacy-dave'))).toBe(expected('legacy-dave'));
        expect((await db.collection('users').find().toArray()).map((user) => String(user._id)).sort()).toEqual(
          [carolId.toHexString(), participantId('legacy-dave').toHexString()].sort(),
        );
        // Carol's state was not written twice, and no old sketch is left.
        expect(await db.collection('paint_states').findOne({ _id: carolId })).toEqual(moved);
        expect(await db.collection('sketches.files').countDocuments({ 'metadata.owner': { $nin: [carolId.toHexString(), participantId('legacy-dave').toHexString()] } })).toBe(0);
      } finally {
        await second.close();
      }
    } finally {
      await seed.close();
    }
  });
});

describe('the blob store (e2e)', () => {
  let testApp: TestApp;
  let store: SketchStore;

  beforeAll(async () => {
    testApp = await createTestApp();
    store = testApp.app.get(SketchStore);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  const streamed = async (id: string) => {
    const parts: Buffer[] = [];
    for await (const part of store.openStream(id)) parts.push(part as Buffer);
    return Buffer.concat(parts);
  };

  it('reads, streams and deletes a file the driver’s GridFS wrote (ObjectId chunk ids, 255 KB chunks)', async () => {
    const owner = uniqueName('legacy-owner');
    const id = `${owner}-image-1`;
    const bytes = randomBytes(600 * 1024);
    const bucket = new mongo.GridFSBucket(testApp.connection.db!, { bucketName: 'sketches' });
    await new Promise<void>((resolve, reject) =>
      Readable.from([bytes])
        .pipe(bucket.openUploadStreamWithId(id as never, id, { metadata: { owner, contentType: 'image/png', lastUsedAt: new Date() } }))
        .once('finish', () => resolve())
        .once('error', reject),
    );

    expect(await store.find(id)).toMatchObject({ id, length: bytes.length, metadata: { owner, contentType: 'image/png' } });
    expect((await store.getMany([id])).get(id)!.equals(bytes)).toBe(true);
    expect((await streamed(id)).equals(bytes)).toBe(true);
    expect(await store.deleteOwned(owner)).toBe(1);
    expect(await store.find(id)).toBeNull();
    expect(await testApp.connection.db!.collection('sketches.chunks').countDocuments({ files_id: id })).toBe(0);
  });

  it('stores base64 as bytes over several chunks that the driver’s GridFS reads too, and deletes them', async () => {
    const owner = uniqueName('owner');
    const id = `${owner}-image-2`;
    const bytes = randomBytes(2.5 * 1024 * 1024);
    await store.putBase64(id, owner, bytes.toString('base64'), 'image/png', { step: 'scene' });

    expect(await store.find(id)).toMatchObject({ id, length: bytes.length, metadata: { owner, contentType: 'image/png', step: 'scene' } });
    expect((await store.getMany([id, 'missing'], { skipMissing: true })).get(id)!.equals(bytes)).toBe(true);
    await expect(store.getMany([id, 'missing'])).rejects.toThrow(/missing/);
    expect((await streamed(id)).equals(bytes)).toBe(true);
    const viaDriver: Buffer[] = [];
    for await (const part of new mongo.GridFSBucket(testApp.connection.db!, { bucketName: 'sketches' }).openDownloadStream(id as never)) viaDriver.push(part as Buffer);
    expect(Buffer.concat(viaDriver).equals(bytes)).toBe(true);

    expect(await store.deleteOwned(owner)).toBe(1);
    expect(await testApp.connection.db!.collection('sketches.chunks').countDocuments({ files_id: id })).toBe(0);
  });
});
