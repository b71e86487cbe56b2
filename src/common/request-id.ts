import { randomUUID } from 'node:crypto';
import type { Request } from 'express';

/** The id that ties a logged failure to the response the caller saw. */
export function requestId(request: Request): string {
  const given = request.headers['x-request-id'];
  if (typeof given === 'string' && /^[\w.-]{1,64}$/.test(given)) return given;
  return randomUUID();
}
