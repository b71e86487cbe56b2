import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { fail } from './envelope';
import { AppError } from './errors';
import { isDatabaseUnavailable } from './mongo-errors';
import { assignRequestId } from './request-id';
import { ResultCode } from './result-code';

interface Mapped {
  status: number;
  code: ResultCode;
  message: string;
}


/** What a person should read of an HttpException's body, whatever raised it. */
function describeHttpBody(body: unknown): string {
  if (typeof body === 'string') return body;
  const object = (body ?? {}) as { message?: unknown; error?: unknown; status?: unknown };
  if (object.message !== undefined) return Array.isArray(object.message) ? object.message.join('; ') : String(object.message);
  // A failed terminus health check: name each indicator that is down.
  if (object.status === 'error' && object.error && typeof object.error === 'object') {
    const down = Object.entries(object.error as Record<string, { status?: string; message?: string }>).map(
      ([name, result]) => `${name} is ${result.status ?? 'down'}${result.message ? ` (${result.message})` : ''}`,
    );
    return `Health check failed: ${down.join('; ')}.`;
  }
  return 'Request failed.';
}

/**
 * The one place where failures become responses: every error, whatever raised it,
 * leaves as the envelope with a status and a message a person can act on.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<Request>();
    const response = context.getResponse<Response>();
    const mapped = this.map(exception, request, response);
    if (response.headersSent) {
      // A streamed body already started; the client sees a cut stream, which is all we can do.
      response.destroy();
      return;
    }
    response.status(mapped.status).json(fail(mapped.code, mapped.message));
  }

  private map(exception: unknown, request: Request, response: Response): Mapped {
    if (exception instanceof AppError) {
      if (exception.code !== ResultCode.Business) this.logger.warn(`${request.method} ${request.path}: ${exception.message}`);
      return { status: exception.status, code: exception.code, message: exception.message };
    }
    if (exception instanceof HttpException) return this.mapHttpException(exception, request);
    if (isDatabaseUnavailable(exception)) {
      this.logger.error(`${request.method} ${request.path}: database unavailable: ${(exception as Error).message}`);
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        code: ResultCode.Internal,
        message: 'The database is unavailable; try again shortly.',
      };
    }
    // The id the caller got in X-Request-Id and every log line of the request carries.
    const id = assignRequestId(request, response);
    this.logger.error(
      `Unexpected error ${id} on ${request.method} ${request.path}`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      code: ResultCode.Internal,
      message: `Internal server error (request id ${id}).`,
    };
  }

  private mapHttpException(exception: HttpException, request: Request): Mapped {
    const status = exception.getStatus();
    if (status === HttpStatus.NOT_FOUND && exception.message.startsWith('Cannot ')) {
      return {
        status,
        code: ResultCode.Business,
        message: `No route ${request.method} ${request.path}; the routes are listed at /docs.`,
      };
    }
    return { status, code: status >= 500 ? ResultCode.Internal : ResultCode.Business, message: describeHttpBody(exception.getResponse()) };
  }
}
