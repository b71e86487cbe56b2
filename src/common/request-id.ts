import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
// Its declarations give IncomingMessage the `id` every request carries once assigned.
import type {} from 'pino-http';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * A caller's id is kept only when it cannot smuggle anything into the header it is echoed in or
 * into a log line: short, and letters, digits, `_`, `.` and `-` only.
 */
const ACCEPTED = /^[\w.-]{1,64}$/;

/**
 * The request's id, assigned once: the caller's `X-Request-Id` when acceptable, otherwise a new
 * UUID; echoed in the response's `X-Request-Id`. The logs, the 500 message and the caller all
 * name this one id.
 */
export function assignRequestId(request: Request, response: Response): string {
  if (typeof request.id === 'string') return request.id;
  const given = request.headers['x-request-id'];
  const id = typeof given === 'string' && ACCEPTED.test(given) ? given : randomUUID();
  request.id = id;
  if (!response.headersSent) response.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** First of all middleware, so that every answer (a refused body's too) and every log line carries the id. */
export function requestIdMiddleware(request: Request, response: Response, next: NextFunction): void {
  assignRequestId(request, response);
  next();
}
