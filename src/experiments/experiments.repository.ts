import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Cursor, isValidObjectId, Model, QueryFilter, Types, UpdateQuery } from 'mongoose';
import { Experiment, ExperimentRecord, ExperimentStatus } from './experiment.schema';

export interface ExperimentFilter {
  username?: string;
  appId?: number;
  type?: number;
  status?: string;
  from?: Date;
  to?: Date;
}

/** The fields a list shows; steps, inputs and output stay in the full record. */
const SUMMARY = { steps: 0, inputs: 0, output: 0 } as const;

/** Persistence of experiment records; the only code that queries the experiments collection. */
@Injectable()
export class ExperimentsRepository {
  constructor(@InjectModel(Experiment.name) private readonly experiments: Model<Experiment>) {}

  async create(experiment: Experiment): Promise<string> {
    const created = await this.experiments.create(experiment);
    return String(created._id);
  }

  async update(id: string, update: UpdateQuery<Experiment>): Promise<void> {
    await this.experiments.updateOne({ _id: id }, update).exec();
  }

  findById(id: string): Promise<ExperimentRecord | null> {
    if (!isValidObjectId(id)) return Promise.resolve(null);
    return this.experiments.findById(id).lean<ExperimentRecord>().exec();
  }

  /** Newest first; `after` is the id of the last item of the previous page. */
  list(filter: ExperimentFilter, limit: number, after?: string): Promise<ExperimentRecord[]> {
    const query = this.toQuery(filter);
    if (after) query._id = { $lt: new Types.ObjectId(after) };
    return this.experiments.find(query, SUMMARY).sort({ _id: -1 }).limit(limit).lean<ExperimentRecord[]>().exec();
  }

  /** All matching records, newest first, read in batches rather than loaded at once. */
  stream(filter: ExperimentFilter): Cursor<ExperimentRecord> {
    return this.experiments.find(this.toQuery(filter)).sort({ _id: -1 }).lean<ExperimentRecord>().batchSize(100).cursor() as unknown as Cursor<ExperimentRecord>;
  }

  /** Marks records left queued or running by a process that died; returns how many. */
  async markInterrupted(startedBefore: Date): Promise<number> {
    const result = await this.experiments
      .updateMany(
        { status: { $in: ['queued', 'running'] }, startedAt: { $lt: startedBefore } },
        { $set: { status: 'interrupted', endedAt: new Date() } },
      )
      .exec();
    return result.modifiedCount;
  }

  /** The nodes that have records `queued` or `running`. */
  async runningNodeIds(): Promise<string[]> {
    const ids = await this.experiments.distinct('nodeId', { status: { $in: ['queued', 'running'] }, nodeId: { $exists: true } }).exec();
    return ids.filter((id): id is string => typeof id === 'string');
  }

  /**
   * Marks the records left `queued` or `running` by the nodes `nodeIds`, which are gone, and
   * those of older versions (no node) started before `legacyBefore`; returns how many.
   */
  async markNodesInterrupted(nodeIds: string[], legacyBefore: Date): Promise<number> {
    const result = await this.experiments
      .updateMany(
        { status: { $in: ['queued', 'running'] }, $or: [{ nodeId: { $in: nodeIds } }, { nodeId: { $exists: false }, startedAt: { $lt: legacyBefore } }] },
        { $set: { status: 'interrupted', endedAt: new Date() } },
      )
      .exec();
    return result.modifiedCount;
  }

  /** Records older than `date` that still have stored images. */
  withImagesBefore(date: Date): Cursor<ExperimentRecord> {
    return this.experiments
      .find({ startedAt: { $lt: date }, imagesRemovedAt: { $exists: false } }, { images: 1, startedAt: 1 })
      .lean<ExperimentRecord>()
      .cursor() as unknown as Cursor<ExperimentRecord>;
  }

  private toQuery(filter: ExperimentFilter): QueryFilter<Experiment> & { _id?: unknown } {
    const query: QueryFilter<Experiment> & { _id?: unknown } = {};
    if (filter.username !== undefined) query.username = filter.username;
    if (filter.appId !== undefined) query.appId = filter.appId;
    if (filter.type !== undefined) query.type = filter.type;
    if (filter.status !== undefined) query.status = filter.status as ExperimentStatus;
    if (filter.from || filter.to) {
      query.startedAt = {
        ...(filter.from ? { $gte: filter.from } : {}),
        ...(filter.to ? { $lt: filter.to } : {}),
      };
    }
    return query;
  }
}
