import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { MigrationLedger } from '../../../storage/migration-ledger.service';
import { SketchStore } from '../../../storage/sketch-store.service';
import { LegacyUser, UsersService } from '../../../users/users.service';
import { encodeStages } from '../save/stage-encoding';
import { SKETCH_FIELDS } from '../save/scheme-cut';
import { INITIAL_STAGE, SCHEME_LIST_FIELDS, SchemeField } from '../stages';
import { PaintStateRepository } from './paint-state.repository';
import { PaintStateService } from './paint-state.service';

type LegacyScheme = Record<string, unknown>;

const isSketchRef = (value: unknown): value is { blobId: string } =>
  typeof value === 'object' && value !== null && typeof (value as { blobId?: unknown }).blobId === 'string';

/**
 * Moves the drawing states of the earlier layout (schemes on the users document, sketches
 * referred to as `{ blobId }`, users under random ids) to paint_states under the derived ids,
 * once, at start-up, before the server answers. Each step can run again after a stop part-way:
 * a state already moved is not rebuilt, and the old user document goes last.
 */
@Injectable()
export class LegacyStateMigration implements OnApplicationBootstrap {
  static readonly NAME = 'paint-states-by-participant-id';
  private readonly logger = new Logger(LegacyStateMigration.name);

  constructor(
    private readonly ledger: MigrationLedger,
    private readonly users: UsersService,
    private readonly states: PaintStateRepository,
    private readonly paintStates: PaintStateService,
    private readonly sketches: SketchStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (await this.ledger.isDone(LegacyStateMigration.NAME)) return;
    const legacy = await this.users.legacyUsers();
    for (const user of legacy) await this.migrate(user);
    if (legacy.length) this.logger.log(`Moved ${legacy.length} drawing states to the participant-id layout.`);
    await this.ledger.markDone(LegacyStateMigration.NAME);
  }

  private async migrate(user: LegacyUser): Promise<void> {
    const id = this.users.idOf(user.username);
    const legacyOwner = user.legacyId.toHexString();
    const record = await this.users.legacyRecord(user);
    if (record && !(await this.states.find(id))) {
      const lists = await this.legacyLists(user, record, legacyOwner);
      const updatedAt = record.updatedAt instanceof Date ? record.updatedAt : new Date();
      await this.paintStates.store(
        id,
        user.username,
        null,
        {
          currentStage: typeof record.currentStage === 'string' ? record.currentStage : INITIAL_STAGE,
          designTaskJson: JSON.stringify(typeof record.designTask === 'string' ? record.designTask : ''),
          ...encodeStages(lists),
        },
        updatedAt,
      );
    }
    await this.sketches.deleteOwned(legacyOwner);
    await this.users.replaceLegacy(user);
  }

  /** The schemes as they were saved, their sketches put back in place. */
  private async legacyLists(user: LegacyUser, record: Record<string, unknown>, legacyOwner: string): Promise<Record<SchemeField, LegacyScheme[]>> {
    const lists = Object.fromEntries(
      SCHEME_LIST_FIELDS.map((field) => [field, Array.isArray(record[field]) ? (record[field] as LegacyScheme[]) : []]),
    ) as Record<SchemeField, LegacyScheme[]>;
    const ids = SCHEME_LIST_FIELDS.flatMap((field) => lists[field].flatMap((scheme) => SKETCH_FIELDS.map((key) => scheme[key]).filter(isSketchRef)))
      .map((ref) => ref.blobId);
    const contents = await this.sketches.getMany([...new Set(ids)], { skipMissing: true });
    const restore = (scheme: LegacyScheme): LegacyScheme =>
      Object.fromEntries(
        Object.entries(scheme).flatMap(([key, value]): Array<[string, unknown]> => {
          if (!SKETCH_FIELDS.includes(key) || !isSketchRef(value)) return [[key, value]];
          const content = contents.get(value.blobId);
          if (content) return [[key, content.toString('utf8')]];
          this.logger.error(`The ${key} of a scheme of "${user.username}" (sketch ${value.blobId}, owner ${legacyOwner}) was missing before the move; the scheme is moved without it.`);
          return [];
        }),
      );
    return Object.fromEntries(SCHEME_LIST_FIELDS.map((field) => [field, lists[field].map(restore)])) as Record<SchemeField, LegacyScheme[]>;
  }
}
