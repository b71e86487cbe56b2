import { json, raw } from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ServerConfig } from '../config/server.config';

/** Routes whose bodies may be large, each with its own limit and the setting that names it. */
export const LARGE_BODY_ROUTES = {
  paintSave: { path: '/paint/save', setting: 'PAINT_SAVE_BODY_LIMIT' },
  generate: { path: '/generate', setting: 'GENERATE_BODY_LIMIT' },
  /** POST /jobs takes what /generate takes. */
  jobs: { path: '/jobs', setting: 'GENERATE_BODY_LIMIT' },
} as const;

/** Tags a body-parser error with the setting whose limit was passed, so the message can name it. */
function naming(setting: string, parser: RequestHandler): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) =>
    parser(request, response, (error?: unknown) => {
      if (error && typeof error === 'object') Object.assign(error, { setting });
      next(error);
    });
}

/**
 * The body parsers, one limit per route. /paint/save's body stays raw: it is parsed, checked
 * and validated in a worker thread (SaveBodyParser), since a long session's state is tens of MB.
 */
export function bodyParsers(limits: ServerConfig['bodyLimits']): Array<{ path?: string; handler: RequestHandler }> {
  return [
    {
      path: LARGE_BODY_ROUTES.paintSave.path,
      handler: naming(LARGE_BODY_ROUTES.paintSave.setting, raw({ type: 'application/json', limit: limits.paintSave })),
    },
    { path: LARGE_BODY_ROUTES.generate.path, handler: naming(LARGE_BODY_ROUTES.generate.setting, json({ limit: limits.generate })) },
    { path: LARGE_BODY_ROUTES.jobs.path, handler: naming(LARGE_BODY_ROUTES.jobs.setting, json({ limit: limits.generate })) },
    { handler: naming('BODY_LIMIT', json({ limit: limits.default })) },
  ];
}
