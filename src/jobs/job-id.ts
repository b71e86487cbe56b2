import { Injectable, PipeTransform } from '@nestjs/common';
import { BusinessError } from '../common/errors';

const JOB_ID = /^[0-9a-f]{24}$/i;

/** A job id as POST /jobs answers it (its record's id), or a 400 naming what was given. */
export function parseJobId(value: unknown): string {
  if (typeof value === 'string' && JOB_ID.test(value)) return value.toLowerCase();
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value) : String(value);
  throw new BusinessError(`Invalid job id ${shown}: a job id is the 24 hexadecimal characters POST /jobs answered as jobId.`);
}

@Injectable()
export class JobIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    return parseJobId(value);
  }
}

/** The id after which a stream resumes: the `Last-Event-ID` header, 0 (from the start) when absent. */
export function parseLastEventId(value: unknown): number {
  if (value === undefined || value === '') return 0;
  if (typeof value === 'string' && /^\d{1,9}$/.test(value.trim())) return Number(value.trim());
  const shown = JSON.stringify(String(value).slice(0, 64));
  throw new BusinessError(`Invalid Last-Event-ID header ${shown}: it must be the id of an event of this stream (a whole number).`);
}
