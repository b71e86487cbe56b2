import type { Request } from 'express';
import type { Requester } from './job-key';

/** Who sent a generation request: the participant it names, and the client it came from. */
export function requesterOf(request: Request, username: string | undefined): Requester {
  return { username, address: request.ip, userAgent: request.header('user-agent') };
}
