import { CanActivate, ExecutionContext, Injectable, MessageEvent } from '@nestjs/common';
import type { Request, Response } from 'express';
import { EMPTY, map, Observable } from 'rxjs';
import { withHeartbeat } from './heartbeat';
import { parseJobId, parseLastEventId } from './job-id';
import { JobsService } from './jobs.service';

const STREAM = Symbol('job event stream');
const FOUND = Symbol('job found');

type WithStream = Request & { [STREAM]?: Observable<MessageEvent>; [FOUND]?: boolean };

/**
 * Finds the job's event stream before the response starts. A route handler of @Sse() runs
 * once its event stream has begun, too late to answer an unknown job with a 404 or a bad id
 * with a 400 in the envelope; a guard runs first, and its failures go to the exception filter.
 * A stream with nothing left (the job ended, and the client has every event up to
 * Last-Event-ID) answers 204, which tells an EventSource to stop reconnecting.
 */
@Injectable()
export class JobStreamGuard implements CanActivate {
  constructor(private readonly jobs: JobsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WithStream>();
    const id = parseJobId(request.params.id);
    const after = parseLastEventId(request.header('last-event-id'));
    const stream = await this.jobs.follow(id, after);
    request[STREAM] = stream.exhausted
      ? undefined
      : withHeartbeat(stream.events.pipe(map((event): MessageEvent => ({ id: String(event.id), type: event.event, data: event.data }))));
    request[FOUND] = true;
    return true;
  }
}

/**
 * The stream JobStreamGuard found for this request; an ended one with nothing left answers
 * 204 (set here: the status of a route is set after its guards ran).
 */
export function jobStreamOf(request: Request, response: Response): Observable<MessageEvent> {
  const { [STREAM]: stream, [FOUND]: found } = request as WithStream;
  if (!found) throw new Error('JobStreamGuard did not run before this route');
  if (stream) return stream;
  response.status(204);
  return EMPTY;
}
