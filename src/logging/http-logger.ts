import { Injectable } from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import pino, { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { assignRequestId } from '../common/request-id';
import { accessLogLevel, accessLogMessage } from './access-log';
import { loggedRequest, loggedResponse } from './request-log';
import { InjectRootLogger } from './root-logger';

/** What access lines and every line logged for a request say of requests, responses and errors. */
export const HTTP_SERIALIZERS = { req: loggedRequest, res: loggedResponse, err: pino.stdSerializers.err };

/**
 * The access log, as an Express middleware mounted before body parsing: a refused body gets its
 * line too. It gives each request its logger (`reqId` bound), which nestjs-pino's own middleware
 * (LoggingModule, `useExisting`) makes the context of every line the request and whatever it
 * started write, after the answer included.
 */
@Injectable()
export class HttpLogger {
  readonly middleware: RequestHandler;

  constructor(@InjectRootLogger() root: Logger) {
    this.middleware = pinoHttp<Request, Response>({
      logger: root,
      genReqId: assignRequestId,
      // The request's own lines carry only its id; the access line carries the request too.
      quietReqLogger: true,
      wrapSerializers: false,
      serializers: HTTP_SERIALIZERS,
      customLogLevel: accessLogLevel,
      customSuccessMessage: accessLogMessage,
      customErrorMessage: (request, response) => accessLogMessage(request, response),
      // pino-http would add an error of its own for a 5xx, stack and all; the exceptions filter logs the real cause.
      customErrorObject: (_request, _response, _error, value: { res: Response; responseTime: number }) => ({ res: value.res, responseTime: value.responseTime }),
    });
  }
}
