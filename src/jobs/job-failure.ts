import { ResultCode } from '../common/result-code';
import type { FailedEventDto } from './dto/job-event.dto';

/**
 * How a job's failure reads, live and from its record alike: the code and message of the
 * envelope /generate answers for a known failure; an unexpected one is not described beyond
 * being one (its details are in the log and the record).
 */
export function jobFailure(error: { code?: number; message: string } | undefined, status?: string): FailedEventDto {
  if (status === 'interrupted') return { code: ResultCode.Internal, message: 'Interrupted: the service stopped before this job finished.' };
  if (error?.code !== undefined) return { code: error.code, message: error.message };
  return { code: ResultCode.Internal, message: 'Internal server error: the generation failed unexpectedly.' };
}
