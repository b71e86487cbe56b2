import { IsIn, IsOptional } from 'class-validator';
import { defineConfig } from './define-config';
import { serverConfig } from './server.config';

/** pino's levels, most severe first; `silent` logs nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export class LoggingVariables {
  /** The least severe level written: fatal, error, warn, info, debug, trace, or silent for none. */
  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL = 'info';

  /** json (one object per line, for collectors) or pretty (readable lines); unset, json in production and pretty otherwise. */
  @IsOptional()
  @IsIn(LOG_FORMATS, { message: `must be one of ${LOG_FORMATS.join(', ')}` })
  LOG_FORMAT?: string = undefined;
}

export interface LoggingConfig {
  level: LogLevelName;
  format: LogFormat;
}

export const loggingConfig = defineConfig(
  'logging',
  LoggingVariables,
  (v, environment): LoggingConfig => ({
    level: v.LOG_LEVEL as LogLevelName,
    format: (v.LOG_FORMAT as LogFormat | undefined) ?? (environment.config(serverConfig).env === 'production' ? 'json' : 'pretty'),
  }),
);
