import type { Request, Response } from 'express';

/** What a log line says of a request: never its body, its query string or a header that may hold a credential. */
export interface LoggedRequest {
  method: string;
  path: string;
  remoteAddress?: string;
  userAgent?: string;
  contentLength?: number;
}

/** What a log line says of a response: its status and, when it declared one, its size. */
export interface LoggedResponse {
  statusCode: number;
  size?: number;
}

/**
 * The path without its query string: a query may carry a participant's name or whatever a
 * client chose to put there, and the route is what a reader needs.
 */
export function requestPath(request: Pick<Request, 'url'> & { originalUrl?: string }): string {
  const url = request.originalUrl ?? request.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function bytes(value: unknown): number | undefined {
  const size = typeof value === 'string' || typeof value === 'number' ? Number(value) : NaN;
  return Number.isSafeInteger(size) && size >= 0 ? size : undefined;
}

export function loggedRequest(request: Request): LoggedRequest {
  const userAgent = request.headers['user-agent'];
  const contentLength = bytes(request.headers['content-length']);
  return {
    method: request.method,
    path: requestPath(request),
    // `ip` follows TRUST_PROXY, as the rate limits do.
    remoteAddress: request.ip ?? request.socket?.remoteAddress,
    ...(userAgent ? { userAgent } : {}),
    ...(contentLength !== undefined ? { contentLength } : {}),
  };
}

export function loggedResponse(response: Response): LoggedResponse {
  const size = bytes(response.getHeader('content-length'));
  return { statusCode: response.statusCode, ...(size !== undefined ? { size } : {}) };
}
