import type { AttemptFailure } from '../common/errors';
import type { SdImage } from '../providers/sd/sd.types';
import type { StepKind } from './step-graph';

/** What a run reports of one step, as it happens. */
export interface StepTrace {
  name: string;
  kind: StepKind;
  deps: readonly string[];
  template?: string;
  templateHash?: string;
  /** The rendered prompt of a GPT step. */
  prompt?: string;
  model?: string;
  rawOutput?: string;
  items?: string[];
  tokens?: { prompt: number; completion: number; total: number };
  attempts: AttemptFailure[];
  startedAt: Date;
  endedAt?: Date;
  status: 'running' | 'succeeded' | 'failed';
  error?: string;
}

export interface ImageTrace {
  step: string;
  index: number;
  image: SdImage;
}

export type RunStatus = 'succeeded' | 'partly-succeeded' | 'failed';

/**
 * Where a generation run reports its progress. The run calls it as it goes; an
 * implementation must never throw into the run (recording never costs the user a result).
 */
export interface RunRecorder {
  stepChanged(step: StepTrace): void;
  /** Stores an image; resolves to its id in the record, if one was kept. */
  imageMade(trace: ImageTrace): Promise<string | undefined>;
  /** The run ended; `output` is what the caller is answered. */
  finished(status: RunStatus, error?: Error, output?: unknown): Promise<void>;
}

/** For runs nobody records. */
export const NO_RECORDING: RunRecorder = {
  stepChanged: () => undefined,
  imageMade: async () => undefined,
  finished: async () => undefined,
};
