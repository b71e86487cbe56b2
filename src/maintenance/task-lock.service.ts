import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ClusterNode } from '../cluster/cluster-node.service';
import { maintenanceConfig } from '../config/maintenance.config';
import { LeaseEnd, MaintenanceLease } from './maintenance-lease.schema';
import { leaseId, MaintenanceLeasesRepository } from './maintenance-leases.repository';

/** Generations of each task kept after a run, so an operator sees the last few runs. */
export const KEPT_RUNS = 10;

/** This node's hold on a task, from `acquire` until `release`. */
export interface Lease {
  readonly task: string;
  readonly generation: number;
  /** The hold lapses at this time unless renewed. */
  readonly until: Date;
}

export type Acquired = { lease: Lease } | { heldBy: string; until?: Date };

/**
 * A lease on a maintenance task, in the database every node shares. Each hold is a document of
 * its own (see MaintenanceLease): taking a task inserts its next generation, which one node
 * alone can do, so no node relies on an update being atomic (FerretDB's are not).
 */
@Injectable()
export class TaskLock {
  constructor(
    private readonly leases: MaintenanceLeasesRepository,
    private readonly node: ClusterNode,
    @Inject(maintenanceConfig.KEY) private readonly config: ConfigType<typeof maintenanceConfig>,
  ) {}

  get ttlMs(): number {
    return this.config.leaseMs;
  }

  /** Takes `task` for this node, unless another node holds it and its hold has not lapsed. */
  async acquire(task: string, now = new Date()): Promise<Acquired> {
    const latest = await this.leases.latest(task);
    // This node's own unlapsed hold can only be one whose release was lost (TaskRunner runs a
    // task once at a time per node): it is taken anew.
    if (latest && latest.holder !== this.node.id && latest.until > now) return { heldBy: latest.holder, until: latest.until };
    const generation = (latest?.generation ?? 0) + 1;
    const lease: MaintenanceLease = {
      _id: leaseId(task, generation),
      task,
      generation,
      holder: this.node.id,
      until: new Date(now.getTime() + this.ttlMs),
      startedAt: now,
    };
    if (!(await this.leases.insertIfAbsent(lease))) return this.lostTo(task);
    // Generations are never reused, but old ones are deleted: a node that read the latest long
    // ago may have inserted one of those. It holds nothing if a later one exists.
    if (await this.leases.hasLater(task, generation)) {
      await this.leases.delete(lease._id);
      return this.lostTo(task);
    }
    return { lease: { task, generation, until: lease.until } };
  }

  /** Another node took `task` first: the one holding it now. */
  private async lostTo(task: string): Promise<Acquired> {
    const winner = await this.leases.latest(task);
    return { heldBy: winner?.holder ?? 'another node', until: winner?.until };
  }

  /**
   * Extends a hold while its task runs. Resolves to the renewed lease, or to null when the hold
   * is lost: it lapsed first (this node stalled), or another node took the task since.
   */
  async renew(lease: Lease, now = new Date()): Promise<Lease | null> {
    if (now >= lease.until) return null;
    if (await this.leases.hasNext(lease.task, lease.generation)) return null;
    const until = new Date(now.getTime() + this.ttlMs);
    await this.leases.extend(leaseId(lease.task, lease.generation), until);
    return { ...lease, until };
  }

  /** Ends a hold, recording how the run went, and forgets generations older than the last few. */
  async release(lease: Lease, end: LeaseEnd): Promise<void> {
    await this.leases.finish(leaseId(lease.task, lease.generation), end);
    await this.leases.deleteBefore(lease.task, lease.generation - KEPT_RUNS + 1);
  }

  /** The task's last runs (and current hold, if one), newest first, as an operator reads them. */
  history(task: string, limit = KEPT_RUNS): Promise<MaintenanceLease[]> {
    return this.leases.history(task, limit);
  }
}
