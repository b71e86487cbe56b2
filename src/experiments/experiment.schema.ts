import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema, Types } from 'mongoose';
import { ImageRecordDto, StepRecordDto } from './dto/experiment.dto';

/**
 * A generation's status, which is also its job's (src/jobs): `queued` until its steps start,
 * `running`, then how it ended; `cancelled` when its callers gave it up, `interrupted` when the
 * process running it stopped.
 */
export const EXPERIMENT_STATUSES = ['queued', 'running', 'succeeded', 'partly-succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

/** The stored shapes are the documented ones. */
export type StepRecord = StepRecordDto;
export type ImageRecord = ImageRecordDto;

/**
 * The record of one generation: what the participant sent, what every step asked and
 * answered, which images were made and shown, and how it ended. Written as the run goes.
 */
@Schema({ collection: 'experiments', minimize: false, versionKey: false })
export class Experiment {
  @Prop({ required: true })
  appId: number;

  /** Absent in records of calls that named an unknown app, which older versions recorded. */
  @Prop()
  appName?: string;

  @Prop({ required: true })
  type: number;

  /** Absent in records of calls that named an unknown app or type, which older versions recorded. */
  @Prop()
  pipeline?: string;

  @Prop()
  username?: string;

  /**
   * The request's inputs as JSON text, each sketch replaced by `{ imageId }` (see
   * recorded-json); records of older versions hold the object itself.
   */
  @Prop({ type: MongooseSchema.Types.Mixed, required: true })
  inputs: string | Record<string, unknown>;

  @Prop({ type: String, required: true, enum: EXPERIMENT_STATUSES })
  status: ExperimentStatus;

  @Prop({ type: MongooseSchema.Types.Mixed })
  error?: { message: string; code?: number; step?: string; provider?: string };

  /** When the generation was accepted; absent in records of older versions, which were created as they started. */
  @Prop()
  createdAt?: Date;

  /** When its steps started (while it is queued, when it was accepted). */
  @Prop({ required: true })
  startedAt: Date;

  @Prop()
  endedAt?: Date;

  @Prop()
  durationMs?: number;

  @Prop({ required: true })
  serviceVersion: string;

  /** The API process that ran it; with several nodes, a running record whose node is gone was interrupted. */
  @Prop()
  nodeId?: string;

  @Prop({ type: MongooseSchema.Types.Mixed, default: {} })
  steps: Record<string, StepRecord>;

  @Prop({ type: [MongooseSchema.Types.Mixed], default: [] })
  images: ImageRecord[];

  /** What the participant was shown as JSON text, each image replaced by `{ imageId }`; older records hold the object. */
  @Prop({ type: MongooseSchema.Types.Mixed })
  output?: unknown;

  @Prop()
  imagesRemovedAt?: Date;

  /** Identical requests this one run answered (docs: duplicates share one run); absent in older records, which answered one. */
  @Prop()
  requests?: number;
}

export type ExperimentRecord = Experiment & { _id: Types.ObjectId };
export const ExperimentSchema = SchemaFactory.createForClass(Experiment);
ExperimentSchema.index({ username: 1, _id: -1 });
ExperimentSchema.index({ status: 1, startedAt: 1 });
ExperimentSchema.index({ status: 1, nodeId: 1 });
ExperimentSchema.index({ startedAt: 1 });
