import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const LEASE_OUTCOMES = ['ran', 'failed'] as const;

/**
 * One node's hold on one maintenance task, and the record of that run: `_id` is
 * `<task>#<generation>`, the task's latest generation is its lock. A node takes a task by
 * inserting the next generation, which only one node can do (the unique `_id`), and only once
 * the latest has passed its `until`. Every document is written by its holder alone: servers
 * that rewrite the whole document on each update (the local FerretDB) then lose no write.
 */
@Schema({ collection: 'maintenance_locks', versionKey: false })
export class MaintenanceLease {
  @Prop({ type: String, required: true })
  _id: string;

  @Prop({ required: true })
  task: string;

  @Prop({ required: true })
  generation: number;

  /** The node (ClusterNode id) that holds, or held, the task. */
  @Prop({ required: true })
  holder: string;

  /** The hold lapses at this time unless renewed; set to the end of the run when it is released. */
  @Prop({ required: true })
  until: Date;

  @Prop({ required: true })
  startedAt: Date;

  @Prop()
  endedAt?: Date;

  @Prop({ type: String, enum: LEASE_OUTCOMES })
  outcome?: (typeof LEASE_OUTCOMES)[number];

  /** The task's own count (records changed…) when it ran. */
  @Prop()
  count?: number;

  /** Why it failed. */
  @Prop()
  reason?: string;
}

export const MaintenanceLeaseSchema = SchemaFactory.createForClass(MaintenanceLease);
MaintenanceLeaseSchema.index({ task: 1, generation: -1 });

/** How a run ended, as its holder records it on release. */
export type LeaseEnd = Required<Pick<MaintenanceLease, 'endedAt' | 'outcome'>> & Pick<MaintenanceLease, 'count' | 'reason'>;
