import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { bodyErrorsMiddleware } from './common/body-errors.middleware';
import { bodyParsers } from './common/body-parsers';
import { jsonShapeMiddleware } from './common/json-shape.middleware';
import { REQUEST_ID_HEADER, requestIdMiddleware } from './common/request-id';
import type { AllConfig } from './config/config.type';
import type { Environment } from './config/environment';
import { setUpDocs } from './docs/api-docs';
import { HttpLogger } from './logging/http-logger';
import { HttpMetrics } from './metrics/http.metrics';

/**
 * Applies the HTTP set-up of the service: client addresses, protective headers, CORS, body
 * limits and shape, and the API docs. `main.ts` and the e2e tests both call it, so tests
 * exercise the configuration users get.
 */
export async function configureApp(app: NestExpressApplication): Promise<NestExpressApplication> {
  const config = app.get<ConfigService<AllConfig, true>>(ConfigService);
  const server = config.get('server', { infer: true });
  // The rate limits count `request.ip`: behind a proxy, only the proxies named here are believed.
  app.set('trust proxy', server.trustProxy);
  // Before anything can answer, so every answer and every log line names the request.
  app.use(requestIdMiddleware);
  // Measured from arrival, so refused bodies and unknown routes count too.
  app.use(app.get(HttpMetrics).middleware);
  // Before the body parsers, so a refused body has its access line.
  app.use(app.get(HttpLogger).middleware);
  // Headers first, so every answer carries them, refusals of the body included.
  app.use(
    helmet({
      contentSecurityPolicy: {
        // The API is served over plain http in labs: upgrading would break the docs page's own scripts.
        directives: { upgradeInsecureRequests: null },
      },
    }),
  );
  app.enableCors({ origin: server.corsOrigins, exposedHeaders: ['Content-Disposition', 'Retry-After', 'Location', REQUEST_ID_HEADER] });
  for (const { path, handler } of bodyParsers(server.bodyLimits)) (path ? app.use(path, handler) : app.use(handler));
  app.use(jsonShapeMiddleware);
  app.use(bodyErrorsMiddleware);
  app.enableShutdownHooks();
  if (server.docs) await setUpDocs(app);
  return app;
}

export async function createApp(environment: Environment): Promise<NestExpressApplication> {
  // Nest's own start-up lines wait for the logger below, so they are written as every other line is.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(environment), { bodyParser: false, abortOnError: false, bufferLogs: true });
  app.useLogger(app.get(Logger));
  return configureApp(app);
}
