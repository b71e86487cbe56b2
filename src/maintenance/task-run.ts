/** What became of one attempt to run a maintenance task on this node. */
export type TaskOutcome = 'ran' | 'skipped' | 'failed';

export interface TaskRun {
  task: string;
  /** The node that attempted it (ClusterNode id). */
  node: string;
  outcome: TaskOutcome;
  startedAt: Date;
  endedAt: Date;
  /** What the task counted (records changed…), when it ran. */
  count?: number;
  /** Why it failed, or why it was skipped. */
  reason?: string;
  /** When skipped because another node holds the task: that node. */
  heldBy?: string;
}

export interface TaskContext {
  /** Aborted when this node loses its hold on the task or shuts down: stop at the next safe point. */
  signal: AbortSignal;
}

/** The work of a task; resolves to the task's own count. */
export type MaintenanceTask = (context: TaskContext) => Promise<number>;

export type TaskRunListener = (run: TaskRun) => void;
