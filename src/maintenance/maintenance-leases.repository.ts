import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKey, withWriteRetry } from '../common/mongo-errors';
import { LeaseEnd, MaintenanceLease } from './maintenance-lease.schema';

export const leaseId = (task: string, generation: number) => `${task}#${generation}`;

/** The maintenance_locks collection; the only code that reads or writes it. */
@Injectable()
export class MaintenanceLeasesRepository {
  constructor(@InjectModel(MaintenanceLease.name) private readonly leases: Model<MaintenanceLease>) {}

  /** The task's latest generation: its lock, and its last run once that has ended. */
  latest(task: string): Promise<MaintenanceLease | null> {
    return this.leases.findOne({ task }).sort({ generation: -1 }).lean<MaintenanceLease>().exec();
  }

  /** The task's latest generations, newest first. */
  history(task: string, limit: number): Promise<MaintenanceLease[]> {
    return this.leases.find({ task }).sort({ generation: -1 }).limit(limit).lean<MaintenanceLease[]>().exec();
  }

  /** Inserts `lease` unless its generation exists; false when another node inserted it first. */
  async insertIfAbsent(lease: MaintenanceLease): Promise<boolean> {
    try {
      await withWriteRetry(() => this.leases.create(lease));
      return true;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // A retried insert whose first try went through finds its own document.
      const found = await this.leases.findById(lease._id).lean<MaintenanceLease>().exec();
      return found?.holder === lease.holder && found.startedAt.getTime() === lease.startedAt.getTime();
    }
  }

  /** Whether a generation after `generation` exists. */
  async hasLater(task: string, generation: number): Promise<boolean> {
    return (await this.leases.exists({ task, generation: { $gt: generation } }).exec()) !== null;
  }

  /** Whether the generation right after `generation` exists (by `_id`: one indexed lookup). */
  async hasNext(task: string, generation: number): Promise<boolean> {
    return (await this.leases.exists({ _id: leaseId(task, generation + 1) }).exec()) !== null;
  }

  async extend(id: string, until: Date): Promise<void> {
    await withWriteRetry(() => this.leases.updateOne({ _id: id }, { $set: { until } }).exec());
  }

  /** Records how the run ended and releases the hold (its `until` becomes the end). */
  async finish(id: string, end: LeaseEnd): Promise<void> {
    const { endedAt, outcome, count, reason } = end;
    const set = { endedAt, outcome, until: endedAt, ...(count === undefined ? {} : { count }), ...(reason === undefined ? {} : { reason }) };
    await withWriteRetry(() => this.leases.updateOne({ _id: id }, { $set: set }).exec());
  }

  async delete(id: string): Promise<void> {
    await withWriteRetry(() => this.leases.deleteOne({ _id: id }).exec());
  }

  /** Deletes the task's generations before `generation`. */
  async deleteBefore(task: string, generation: number): Promise<void> {
    await withWriteRetry(() => this.leases.deleteMany({ task, generation: { $lt: generation } }).exec());
  }
}
