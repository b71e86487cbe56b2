import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Types } from 'mongoose';
import pLimit from 'p-limit';
import { NotFoundError } from '../../../common/errors';
import { databaseConfig } from '../../../config/database.config';
import { BlobLocation, MissingBlobError } from '../../../storage/blob-store';
import { SketchStore } from '../../../storage/sketch-store.service';
import { UsersService } from '../../../users/users.service';
import type { ParsedSave } from '../save/parsed-save';
import { spliceScheme } from '../save/scheme-cut';
import { INITIAL_STAGE, SCHEME_LIST_FIELDS, SchemeField } from '../stages';
import { BlobRef, PaintState, RetiredBlob, SchemeRef } from './paint-state.schema';
import { PaintStateRepository } from './paint-state.repository';
import { KeyedQueue } from './keyed-queue';
import { stateResponse } from './state-json';

/** A state whose blobs vanished while being read was replaced meanwhile; it is read again. */
const START_ATTEMPTS = 3;
/** Blob reads one start keeps in flight. */
const READ_CONCURRENCY = 8;
const BLOB_TYPE = 'application/json';

export type StateToStore = Omit<ParsedSave, 'username'>;

const unknownUser = (username: string) => new NotFoundError(`Unknown user "${username}": call /paint/start before /paint/save.`);

/**
 * Participants' drawing states: created on the first visit, saved whole, given back exactly
 * as saved. A state is one small document of references; each scheme's text and each sketch
 * is a blob of the participant's, stored under its content, so a save that changed little
 * writes little.
 *
 * Replaced blobs are collected by the saves that follow, once they have been out of the state
 * for SKETCH_GC_GRACE_MS and nobody has marked them used for as long. Saves of one participant
 * run one at a time in this process; the grace period protects saves in other processes: a
 * save marks every blob it keeps using (at the latest when its last mark is half a grace
 * period old), so a blob a running save relies on is never that long unused.
 */
@Injectable()
export class PaintStateService {
  private readonly logger = new Logger(PaintStateService.name);
  private readonly saves = new KeyedQueue();

  constructor(
    private readonly users: UsersService,
    private readonly states: PaintStateRepository,
    private readonly sketches: SketchStore,
    @Inject(databaseConfig.KEY) private readonly dbConfig: ConfigType<typeof databaseConfig>,
  ) {}

  /** The participant's state as the /paint/start answer (the envelope included), created on the first visit. */
  async start(username: string): Promise<Buffer[]> {
    const id = this.users.idOf(username);
    for (let attempt = 1; ; attempt++) {
      const state = await this.states.find(id);
      if (!state) {
        const participant = await this.users.findOrCreate(username);
        return stateResponse({ id: participant.id, username, currentStage: INITIAL_STAGE, designTaskJson: '""', lists: {} });
      }
      checkName(state, username);
      try {
        return stateResponse({ id: id.toHexString(), username, currentStage: state.currentStage, designTaskJson: state.designTaskJson, lists: await this.read(state) });
      } catch (error) {
        if (!(error instanceof MissingBlobError) || attempt === START_ATTEMPTS) throw error;
      }
    }
  }

  /** Replaces the participant's state by `input`; a stage not in it keeps what was stored. */
  async save(input: ParsedSave): Promise<void> {
    const id = this.users.idOf(input.username);
    await this.saves.run(id.toHexString(), async () => {
      const current = await this.states.find(id);
      if (current) checkName(current, input.username);
      else if (!(await this.users.find(input.username))) throw unknownUser(input.username);
      await this.store(id, input.username, current, input);
    });
  }

  /**
   * Writes the blobs the new state needs first, then switches the state document to it in one
   * write, so a failure at any point leaves the previous state whole and readable.
   */
  async store(id: Types.ObjectId, username: string, current: PaintState | null, input: StateToStore, updatedAt = new Date()): Promise<void> {
    const owner = id.toHexString();
    const now = new Date();
    const grace = this.dbConfig.sketchGcGraceMs;
    const stored = storedBlobs(current);

    const plan = input.blobs.map((blob) => {
      const blobId = `${owner}:${blob.sha256}`;
      const known = stored.get(blobId);
      // Kept, and marked recently enough: nothing to write.
      const fresh = known !== undefined && !known.retiredAt && known.touchedAt.getTime() > now.getTime() - grace / 2;
      const ref: BlobRef = { id: blobId, length: blob.end - blob.start, touchedAt: fresh ? known.touchedAt : now };
      return { ref, write: fresh ? undefined : { id: blobId, owner, contentType: BLOB_TYPE, bytes: input.bytes.subarray(blob.start, blob.end) } };
    });
    await this.sketches.write(plan.flatMap((blob) => (blob.write ? [blob.write] : [])));
    const refs = plan.map((blob) => blob.ref);

    const lists: Partial<Record<SchemeField, SchemeRef[]>> = {};
    for (const [field, schemes] of Object.entries(input.stages) as [SchemeField, ParsedSave['stages'][SchemeField]][]) {
      lists[field] = (schemes ?? []).map((scheme) => ({
        text: refs[scheme.text],
        sketches: scheme.sketches.map((sketch) => ({ at: sketch.at, blob: refs[sketch.blob] })),
      }));
    }

    const kept = new Set(SCHEME_LIST_FIELDS.flatMap((field) => blobIds(lists[field] ?? current?.[field] ?? [])));
    const retired = [...stored.values()]
      .filter((blob) => !kept.has(blob.id))
      .map((blob): RetiredBlob => ({ id: blob.id, length: blob.length, at: blob.retiredAt ?? now }));
    const unusedSince = new Date(now.getTime() - grace);
    const expired = retired.filter((blob) => blob.at <= unusedSince);
    const waiting = retired.filter((blob) => blob.at > unusedSince);

    await this.states.save(id, { username, currentStage: input.currentStage, designTaskJson: input.designTaskJson, ...lists, retired: waiting, updatedAt });
    await this.collect(id, expired, unusedSince);
  }

  /**
   * Deletes blobs out of the state for the grace period. One that another process marked used
   * meanwhile is kept on the list; a failure here costs disk, not data.
   */
  private async collect(id: Types.ObjectId, expired: RetiredBlob[], unusedSince: Date): Promise<void> {
    if (expired.length === 0) return;
    try {
      const deleted = new Set(await this.sketches.deleteUnused(expired, unusedSince));
      await this.states.addRetired(id, expired.filter((blob) => !deleted.has(blob.id)));
    } catch (error) {
      this.logger.warn(`Could not delete replaced sketches of ${id.toHexString()}: ${error}`);
    }
  }

  /** Each list's schemes as the pieces of their JSON text. */
  private async read(state: PaintState): Promise<Partial<Record<SchemeField, Buffer[][]>>> {
    const blobs = new Map<string, BlobLocation>();
    for (const field of SCHEME_LIST_FIELDS) {
      for (const scheme of state[field] ?? []) for (const ref of [scheme.text, ...scheme.sketches.map((sketch) => sketch.blob)]) blobs.set(ref.id, ref);
    }
    const limit = pLimit(READ_CONCURRENCY);
    const contents = new Map(await Promise.all([...blobs.values()].map((blob) => limit(async () => [blob.id, await this.sketches.read(blob)] as const))));
    const lists: Partial<Record<SchemeField, Buffer[][]>> = {};
    for (const field of SCHEME_LIST_FIELDS) {
      lists[field] = (state[field] ?? []).map((scheme) =>
        spliceScheme(
          contents.get(scheme.text.id)!,
          scheme.sketches.map((sketch) => ({ at: sketch.at, json: contents.get(sketch.blob.id)! })),
        ),
      );
    }
    return lists;
  }
}

interface StoredBlobState {
  id: string;
  length: number;
  /** The oldest mark among the state's references to it. */
  touchedAt: Date;
  /** Set for a blob out of the state, waiting for the grace period. */
  retiredAt?: Date;
}

/** Every blob the stored state refers to or keeps retired, once each. */
function storedBlobs(state: PaintState | null): Map<string, StoredBlobState> {
  const blobs = new Map<string, StoredBlobState>();
  for (const field of SCHEME_LIST_FIELDS) {
    for (const scheme of state?.[field] ?? []) {
      for (const ref of [scheme.text, ...scheme.sketches.map((sketch) => sketch.blob)]) {
        const known = blobs.get(ref.id);
        if (!known || ref.touchedAt < known.touchedAt) blobs.set(ref.id, { id: ref.id, length: ref.length, touchedAt: ref.touchedAt });
      }
    }
  }
  for (const blob of state?.retired ?? []) {
    if (!blobs.has(blob.id)) blobs.set(blob.id, { id: blob.id, length: blob.length, touchedAt: blob.at, retiredAt: blob.at });
  }
  return blobs;
}

function blobIds(schemes: readonly SchemeRef[]): string[] {
  return schemes.flatMap((scheme) => [scheme.text.id, ...scheme.sketches.map((sketch) => sketch.blob.id)]);
}

function checkName(state: PaintState, username: string): void {
  // Two names whose derived ids collide would otherwise share one state.
  if (state.username !== username) throw new Error(`Users "${username}" and "${state.username}" have the same derived _id ${state._id}`);
}
