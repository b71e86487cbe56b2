import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { withWriteRetry } from '../../../common/mongo-errors';
import type { SchemeField } from '../stages';
import { PaintState, RetiredBlob, SchemeRef } from './paint-state.schema';

export type PaintStateUpdate = Pick<PaintState, 'username' | 'currentStage' | 'designTaskJson' | 'retired' | 'updatedAt'> &
  Partial<Record<SchemeField, SchemeRef[]>>;

/** The paint_states collection; every lookup is by `_id`. */
@Injectable()
export class PaintStateRepository {
  constructor(@InjectModel(PaintState.name) private readonly states: Model<PaintState>) {}

  find(id: Types.ObjectId): Promise<PaintState | null> {
    return this.states.findById(id).lean<PaintState>().exec();
  }

  /** One atomic write: the stored state is either all old or all new. Lists not given keep what is stored. */
  async save(id: Types.ObjectId, update: PaintStateUpdate): Promise<void> {
    await withWriteRetry(() => this.states.updateOne({ _id: id }, { $set: update }, { upsert: true }).exec());
  }

  async addRetired(id: Types.ObjectId, retired: RetiredBlob[]): Promise<void> {
    if (retired.length) await withWriteRetry(() => this.states.updateOne({ _id: id }, { $push: { retired: { $each: retired } } }).exec());
  }
}
