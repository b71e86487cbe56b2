import type { RunStatus } from '../engine/run-recorder';
import type { ExperimentFilter } from './experiments.repository';

/** A finished run whose record is still being written, with what a filter can match it by. */
export interface PendingRecord {
  id: string;
  appId: number;
  type: number;
  username?: string;
  status: RunStatus;
  startedAt: Date;
  flushing: Promise<void>;
}

function matches(record: PendingRecord, filter: ExperimentFilter): boolean {
  return (
    (filter.username === undefined || record.username === filter.username) &&
    (filter.appId === undefined || record.appId === filter.appId) &&
    (filter.type === undefined || record.type === filter.type) &&
    (filter.status === undefined || record.status === filter.status) &&
    (filter.from === undefined || record.startedAt >= filter.from) &&
    (filter.to === undefined || record.startedAt < filter.to)
  );
}

/**
 * The records of finished runs not yet fully written. A research read waits only for those it
 * would read, so one slow record (or hundreds written at once) does not hold up the others.
 */
export class PendingRecords {
  private readonly pending = new Map<string, PendingRecord>();

  add(record: PendingRecord): void {
    this.pending.set(record.id, record);
    const forget = () => {
      if (this.pending.get(record.id) === record) this.pending.delete(record.id);
    };
    record.flushing.then(forget, forget);
  }

  /** The writes of one record, if it is still being written. */
  of(id: string): Promise<void>[] {
    const record = this.pending.get(id);
    return record ? [record.flushing] : [];
  }

  /** The writes of the records a read with `filter` would include. */
  matching(filter: ExperimentFilter): Promise<void>[] {
    return [...this.pending.values()].filter((record) => matches(record, filter)).map((record) => record.flushing);
  }

  get size(): number {
    return this.pending.size;
  }

  all(): Promise<void>[] {
    return [...this.pending.values()].map((record) => record.flushing);
  }
}
