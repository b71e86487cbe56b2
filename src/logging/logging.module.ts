import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { HTTP_SERIALIZERS, HttpLogger } from './http-logger';
import { ROOT_LOGGER, RootLoggerModule } from './root-logger';

/**
 * Structured logs: nestjs-pino's Logger (which createApp makes Nest's, so every `new Logger(ctx)`
 * writes through pino with its context) and the HTTP access log. The access log is HttpLogger,
 * mounted by configureApp before body parsing; nestjs-pino uses the request logger it attaches.
 */
@Module({
  imports: [
    RootLoggerModule,
    LoggerModule.forRootAsync({
      imports: [RootLoggerModule],
      inject: [ROOT_LOGGER],
      useFactory: (root: Logger) => ({
        pinoHttp: { logger: root, wrapSerializers: false, serializers: HTTP_SERIALIZERS },
        useExisting: true,
      }),
    }),
  ],
  providers: [HttpLogger],
  exports: [HttpLogger],
})
export class LoggingModule {}
