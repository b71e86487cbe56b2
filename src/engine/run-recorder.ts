import type { SdImage } from '../providers/sd/sd.types';
import type { StepTrace } from './step-trace.dto';

export interface ImageTrace {
  step: string;
  index: number;
  image: SdImage;
}

/** How a run ended: `cancelled` when its caller gave it up (GenerationCancelledError). */
export type RunStatus = 'succeeded' | 'partly-succeeded' | 'failed' | 'cancelled';

/**
 * Where a generation run reports its progress. The run calls it as it goes; an
 * implementation must never throw into the run (recording never costs the user a result).
 */
export interface RunRecorder {
  /** The run began its steps at `at` (it was queued until then). */
  started(at: Date): void;
  stepChanged(step: StepTrace): void;
  /** Stores an image; resolves to its id in the record, if one was kept. */
  imageMade(trace: ImageTrace): Promise<string | undefined>;
  /** The run ended; `output` is what the caller is answered. */
  finished(status: RunStatus, error?: Error, output?: unknown): Promise<void>;
}
