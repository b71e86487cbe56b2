import type { StepSpec } from './step-graph';
import type { MadeImage } from './made-image';

/** What a run reports as it goes, beside its record: for callers that follow it live. */
export type RunEvent =
  /** The run began its steps. */
  | { type: 'started'; at: Date }
  /** A step started, or ended as it ended. */
  | { type: 'step'; name: string; kind: StepSpec['kind']; status: 'started' | 'succeeded' | 'failed'; at: Date }
  /** Image `index` of image step `step` was made (and stored, when `imageId` is set). */
  | { type: 'image'; step: string; index: number; image: MadeImage }
  /** Every part of creative `index` exists: `creative` is what the answer will hold in that slot. */
  | { type: 'creative'; index: number; creative: unknown };

/** Told of each event of a run; it must not throw, and what it does must not hold the run up. */
export type RunObserver = (event: RunEvent) => void;
