import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import pLimit from 'p-limit';
import { NotFoundError } from '../common/errors';
import { databaseConfig } from '../config/database.config';
import { BlobStore } from '../storage/blob-store';
import { SketchStore } from '../storage/sketch-store.service';
import { DrawingState, DrawingUpdate, SCHEME_FIELDS, SchemeField } from './drawing-state';
import { externalize, internalize, referencedBlobs, Scheme } from './scheme-codec';
import { UserRecord, UsersRepository } from './users.repository';

const SCHEME_LIST_FIELDS = Object.values(SCHEME_FIELDS);
/** Sketch reads and writes in flight for one request; enough to hide latency, few enough to spare the pool. */
const SKETCH_IO_CONCURRENCY = 4;

export interface SaveInput {
  designTask: string;
  currentStage: string;
  /** Schemes by stage name; a stage that is absent or null is left as stored. */
  designSchemes: Partial<Record<keyof typeof SCHEME_FIELDS, object[] | null>>;
}

const unknownUser = (username: string) => new NotFoundError(`Unknown user "${username}": call /paint/start before /paint/save.`);

/** Users' drawing state: created on first visit, saved whole, restored exactly as saved. */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly sketches: SketchStore,
    @Inject(databaseConfig.KEY) private readonly dbConfig: ConfigType<typeof databaseConfig>,
  ) {}

  async start(username: string): Promise<DrawingState> {
    const user = await this.users.findOrCreate(username);
    return this.toState(user);
  }

  /**
   * Writes the new sketches first and switches the user document to them in one update,
   * so a failure at any point leaves the previous state whole and readable.
   */
  async save(username: string, input: SaveInput): Promise<void> {
    const user = await this.users.findByUsername(username);
    if (!user) throw unknownUser(username);
    const owner = String(user._id);
    const startedAt = new Date();

    const update: DrawingUpdate = { designTask: input.designTask, currentStage: input.currentStage };
    const blobs = new Map<string, Buffer>();
    for (const [stage, field] of Object.entries(SCHEME_FIELDS) as [keyof typeof SCHEME_FIELDS, SchemeField][]) {
      const schemes = input.designSchemes[stage];
      if (!Array.isArray(schemes)) continue;
      const encoded = externalize(schemes, (content) => BlobStore.idFor(owner, content));
      update[field] = encoded.stored;
      encoded.blobs.forEach((content, id) => blobs.set(id, content));
    }

    this.users.assertFits(update);
    // A save that fails leaves its new sketches to the next save's collection: another save
    // running at the same moment may have stored the same sketch and be relying on it.
    const limit = pLimit(SKETCH_IO_CONCURRENCY);
    await Promise.all([...blobs.values()].map((content) => limit(() => this.sketches.put(owner, content, 'text/plain; charset=utf-8'))));
    if (!(await this.users.update(username, update))) throw unknownUser(username);
    await this.collectOrphans(username, owner, startedAt);
  }

  /**
   * Deletes sketches the stored state no longer refers to and nobody has used within the grace
   * period; a failure here costs disk, not data. The state is read again here, not taken from
   * this save, so that a later save's sketches count as kept.
   */
  private async collectOrphans(username: string, owner: string, startedAt: Date): Promise<void> {
    try {
      const current = await this.users.findByUsername(username);
      if (!current) return;
      const kept = new Set(SCHEME_LIST_FIELDS.flatMap((field) => referencedBlobs(current[field] ?? [])));
      const unusedSince = new Date(startedAt.getTime() - this.dbConfig.sketchGcGraceMs);
      for (const id of await this.sketches.findUnused(owner, kept, unusedSince)) await this.sketches.deleteIfUnused(id, unusedSince);
    } catch (error) {
      this.logger.warn(`Could not remove replaced sketches of ${owner}: ${error}`);
    }
  }

  private async toState(user: UserRecord): Promise<DrawingState> {
    // A list never saved may be absent from the document (some servers drop empty arrays on upsert).
    const lists = Object.fromEntries(SCHEME_LIST_FIELDS.map((field) => [field, user[field] ?? []])) as Record<SchemeField, Scheme[]>;
    const ids = new Set(SCHEME_LIST_FIELDS.flatMap((field) => referencedBlobs(lists[field])));
    const stored = await this.sketches.getMany([...ids]);
    const contents = new Map([...stored].map(([id, content]) => [id, content.toString('utf8')]));
    return {
      _id: String(user._id),
      username: user.username,
      currentStage: user.currentStage,
      designTask: user.designTask,
      rapidDivergenceSchemes: internalize(lists.rapidDivergenceSchemes, contents),
      deepDivergenceSchemes: internalize(lists.deepDivergenceSchemes, contents),
      convergenceSchemes: internalize(lists.convergenceSchemes, contents),
    };
  }
}
