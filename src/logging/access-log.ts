import type { Request, Response } from 'express';
import type { LevelWithSilent } from 'pino';
import { requestPath } from './request-log';

/** Called every few seconds by monitors: their lines would drown the rest at info. */
const MONITOR_PATHS = new Set(['/health', '/ping', '/metrics']);

/** The level of a request's access line: by how it ended, monitors' routine answers at debug. */
export function accessLogLevel(request: Request, response: Response, error?: Error): LevelWithSilent {
  const status = response.statusCode;
  if (error || status >= 500) return 'error';
  if (MONITOR_PATHS.has(requestPath(request))) return 'debug';
  if (status >= 400) return 'warn';
  return 'info';
}

/** `GET /jobs/… 200 in 12 ms`, or that the client left first: readable as it stands in the pretty format. */
export function accessLogMessage(request: Request, response: Response, responseTimeMs?: number): string {
  const line = `${request.method} ${requestPath(request)}`;
  const took = responseTimeMs === undefined ? '' : ` in ${responseTimeMs} ms`;
  if (!response.writableEnded) return `${line} closed by the client${took} (status ${response.statusCode})`;
  return `${line} ${response.statusCode}${took}`;
}
