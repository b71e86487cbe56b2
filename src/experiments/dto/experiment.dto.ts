import { StepTrace } from '../../engine/step-trace.dto';

/** A step of a generation as recorded: the run's trace of it, with its duration. */
export class StepRecordDto extends StepTrace {
  /** @example 812 */
  durationMs?: number;
}

export class ImageRecordDto {
  /** @example "6746e0c2a1b2c3d4e5f60718-images-0" */
  imageId: string;
  /**
   * `input` for a sketch the participant sent; otherwise the step that made it.
   * @example "images"
   */
  step: string;
  /** @example 0 */
  index: number;
  /** The WebUI request without images. */
  parameters?: Record<string, unknown>;
  /** @example "http://127.0.0.1:7860" */
  instance?: string;
  /** @example 1234567 */
  seed?: number;
  /** When the image was made; absent for sketches and in records of older versions. */
  madeAt?: Date;
  info?: Record<string, unknown>;
  removed?: boolean;
}

export class ExperimentSummaryDto {
  /** @example "6746e0c2a1b2c3d4e5f60718" */
  _id: string;
  /** @example 0 */
  appId: number;
  /**
   * Absent only in records of calls that named an unknown app, which older versions kept.
   * @example "paint"
   */
  appName?: string;
  /** @example 1 */
  type: number;
  /**
   * Absent only in records of calls that named an unknown app or type, which older versions kept.
   * @example "deep-divergence"
   */
  pipeline?: string;
  /** @example "alice" */
  username?: string;
  /**
   * queued, running, succeeded, partly-succeeded, failed, cancelled or interrupted.
   * @example "succeeded"
   */
  status: string;
  error?: { message: string; code?: number; step?: string; provider?: string };
  /** When it was accepted; absent in records of older versions. */
  createdAt?: Date;
  /** When its steps started. */
  startedAt: Date;
  endedAt?: Date;
  /** @example 14250 */
  durationMs?: number;
  /** @example "0.1.0" */
  serviceVersion: string;
  /**
   * The API process (node) that ran it; absent in records of older versions.
   * @example "api-1-4242-9f3a1c"
   */
  nodeId?: string;
  images: ImageRecordDto[];
  /**
   * Identical requests this run answered (duplicates share one run); absent in records of older versions.
   * @example 1
   */
  requests?: number;
}

export class ExperimentDto extends ExperimentSummaryDto {
  /** The request's inputs exactly as sent, each sketch (a proved PNG, JPEG or WebP) replaced by `{ imageId }`. */
  inputs: Record<string, unknown>;
  /** Every step, each after its dependencies. */
  steps: StepRecordDto[];
  /** What the participant was answered, each image replaced by `{ imageId }`. */
  output?: Record<string, unknown>;
}

export class ExperimentPageDto {
  items: ExperimentSummaryDto[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}
