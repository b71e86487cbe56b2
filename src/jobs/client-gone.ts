import type { Request, Response } from 'express';

/**
 * Calls `leave` once if the client closes its connection before the response has been sent
 * (a response's 'close' also follows a finished one, which is not a departure).
 */
export function whenClientLeaves(request: Request, response: Response, leave: () => void): void {
  const closed = () => {
    if (!response.writableFinished) leave();
  };
  if (response.destroyed || request.socket?.destroyed) return leave();
  response.once('close', closed);
}
