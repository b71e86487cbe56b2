import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EXPERIMENT_STATUSES } from '../../experiments/experiment.schema';
import { FailedEventDto } from './job-event.dto';

export class JobCreatedDto {
  /**
   * The job: its experiment record's id. `Location` names the job's route.
   * @example "6746e0c2a1b2c3d4e5f60718"
   */
  jobId: string;
}

/** A generation job: the experiment record of one run, as its caller follows it. */
export class JobDto {
  /** @example "6746e0c2a1b2c3d4e5f60718" */
  jobId: string;
  /**
   * The app's APP_ID.
   * @example 0
   */
  app: number;
  /** @example 1 */
  type: number;
  /**
   * queued until its steps start; running; then succeeded, partly-succeeded (some creatives
   * could not be made), failed, cancelled, or interrupted (the service stopped).
   */
  @ApiProperty({ enum: EXPERIMENT_STATUSES, example: 'succeeded' })
  status: string;
  /** When it was accepted. */
  createdAt: Date;
  /** When its steps started; null while queued. */
  @ApiProperty({ type: Date, nullable: true })
  startedAt: Date | null;
  /** When it ended; null until then. */
  @ApiProperty({ type: Date, nullable: true })
  endedAt: Date | null;
  /**
   * Identical requests this one run answered.
   * @example 1
   */
  requests: number;
  /** Once it succeeded (fully or partly): the `data` /generate answers for it, images as base64. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { schemeId: 1, count: 3, result: [] } })
  data?: object;
  /** Once it failed, was cancelled or interrupted: the failure's code and message. */
  error?: FailedEventDto;
}
