import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Histogram, Registry } from 'prom-client';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Answered before any route matched: an unknown path, or a body refused on the way in. */
export const UNMATCHED_ROUTE = '(unmatched)';
/** nginx's code for a client that left before its answer began. */
const CLIENT_CLOSED = '499';

/** How long each HTTP request took, by method, route pattern and status. */
@Injectable()
export class HttpMetrics {
  private readonly duration: Histogram<'method' | 'route' | 'status'>;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'inspilot_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern (never the raw URL) and status, from arrival to the end of the answer.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    });
  }

  /** Express middleware, first of all, so refused bodies and unknown routes are measured too. */
  readonly middleware: RequestHandler = (request: Request, response: Response, next: NextFunction) => {
    const end = this.duration.startTimer();
    let observed = false;
    const observe = () => {
      if (observed) return;
      observed = true;
      end({ method: methodLabel(request.method), route: routeLabel(request), status: statusLabel(response) });
    };
    response.once('finish', observe);
    response.once('close', observe);
    next();
  };
}

/** Only the standard methods are labels of their own: a client inventing methods cannot add series. */
function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'OTHER';
}

/**
 * The matched route's pattern (`/jobs/:id`), so ids and query strings never become series. The
 * service has no wildcard route: a wildcard is the mount of middleware applied to every route,
 * which is all a request no route answered went through.
 */
export function routeLabel(request: Request): string {
  const path = (request.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' && !path.includes('*') ? `${request.baseUrl}${path}` : UNMATCHED_ROUTE;
}

function statusLabel(response: Response): string {
  return response.headersSent ? String(response.statusCode) : CLIENT_CLOSED;
}
