import pino, { DestinationStream, LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import type { LoggingConfig } from '../config/logging.config';
import { REDACTED, REDACTED_PATHS } from './redaction';

/**
 * How the root logger writes: JSON for collectors (level names, ISO times), or readable lines
 * for a person at a terminal. Both synchronous, so the last lines before an exit are not lost.
 */
export function logOutput(config: LoggingConfig): { options: LoggerOptions; destination: DestinationStream } {
  const common: LoggerOptions = { level: config.level, redact: { paths: REDACTED_PATHS, censor: REDACTED } };
  if (config.format === 'json') {
    return {
      options: { ...common, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
      destination: pino.destination({ dest: 1, sync: true }),
    };
  }
  return {
    options: common,
    destination: pretty({
      sync: true,
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss.l',
      // The access line's message already says method, path, status and time.
      ignore: 'pid,hostname,context,req,res,responseTime',
      messageFormat: '{if context}[{context}] {end}{msg}',
    }),
  };
}
