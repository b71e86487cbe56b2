import type { NextFunction, Request, Response } from 'express';
import { BusinessError } from './errors';
import { jsonShapeProblem } from './json-shape';

/**
 * Runs right after the JSON parsers, before anything walks the body: a body nested deeper
 * than any route needs is refused here, iteratively, so no later recursion (validation,
 * class-transformer, the database driver) can overflow the stack on it; and a number that
 * JSON.parse has already rounded is refused rather than kept wrong. Bodies a parser left
 * unparsed (raw buffers) are checked where they are parsed.
 */
export function jsonShapeMiddleware(request: Request, _response: Response, next: NextFunction): void {
  const body: unknown = request.body;
  if (body === null || typeof body !== 'object' || Buffer.isBuffer(body)) return next();
  const problem = jsonShapeProblem(body);
  next(problem ? new BusinessError(`Invalid request body: ${problem}.`) : undefined);
}
