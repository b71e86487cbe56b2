/**
 * Where the shared pool keeps its state in Redis. Every key starts with PREFIX, so the Lua
 * scripts can build the instance keys they walk from it.
 */
export const PREFIX = 'inspilot:sd:';
/** The BullMQ queue of images (its own keys live under `inspilot:<queue>:`). */
export const QUEUE_NAME = 'sd-images';
export const QUEUE_PREFIX = 'inspilot';

export const sdKeys = {
  /** Set once by the first node: its absence means Redis lost its data, and the leases of running images with it. */
  epoch: `${PREFIX}epoch`,
  /** Arrival order of images across nodes. */
  seq: `${PREFIX}seq`,
  /** Images waiting for a slot, scored by arrival: a slot goes to the earliest. */
  waiters: `${PREFIX}waiters`,
  waiter: (id: string) => `${PREFIX}waiter:${id}`,
  health: (url: string) => `${PREFIX}health:${url}`,
  lease: (url: string, slot: number) => `${PREFIX}lease:${url}:${slot}`,
  durations: (url: string) => `${PREFIX}dur:${url}`,
  poolDurations: `${PREFIX}dur:pool`,
  probe: (url: string) => `${PREFIX}probe:${url}`,
  result: (jobId: string) => `${PREFIX}result:${jobId}`,
  cancel: (jobId: string) => `${PREFIX}cancel:${jobId}`,
  /** Published when a slot frees or an instance comes back: waiting images try again at once. */
  wakeChannel: `${PREFIX}wake`,
  /** Published with a job id when its generation gave it up. */
  cancelChannel: `${PREFIX}cancel`,
};
