import type { NextFunction, Request, Response } from 'express';
import { BusinessError, PayloadTooLargeError } from './errors';

/** What body-parser attaches to the errors it raises. */
interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
  message: string;
  limit?: number;
  length?: number;
  /** The setting whose limit applies (see body-parsers). */
  setting?: string;
}

function size(bytes?: number): string {
  if (bytes === undefined) return 'unknown size';
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Turns body-parser's errors into the app's own before Nest sees them, so the filter can
 * say precisely what was wrong with the body (Nest would reduce a JSON error to its message).
 */
export function bodyErrorsMiddleware(error: BodyParserError, _request: Request, _response: Response, next: NextFunction): void {
  switch (error?.type) {
    case 'entity.too.large':
      return next(
        new PayloadTooLargeError(`Request body of ${size(error.length)} is over the limit of ${size(error.limit)} (${error.setting ?? 'BODY_LIMIT'}).`),
      );
    case 'entity.parse.failed':
      return next(new BusinessError(`Request body is not valid JSON: ${error.message}`));
    default:
      if (error?.expose && error.status && error.status < 500) return next(new BusinessError(error.message, error.status));
      return next(error);
  }
}
