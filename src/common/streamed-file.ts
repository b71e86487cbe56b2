import { Logger, StreamableFile } from '@nestjs/common';
import type { StreamableFileOptions } from '@nestjs/common/file-stream/interfaces/streamable-options.interface';
import type { Readable } from 'node:stream';
import { fail } from './envelope';
import { isDatabaseUnavailable } from './mongo-errors';
import { ResultCode } from './result-code';

const logger = new Logger('StreamedFile');

/**
 * A streamed body whose failure still answers in the envelope while nothing has been sent
 * (Nest's default is a plain-text 400); once bytes are out, the connection is cut.
 */
export function streamedFile(stream: Readable, options: StreamableFileOptions): StreamableFile {
  return new StreamableFile(stream, options)
    .setErrorLogger((error) => logger.error(`Streaming failed: ${error.message}`))
    .setErrorHandler((error, response) => {
      if (response.destroyed) return;
      if (response.headersSent) return response.destroy?.(error);
      const unreachable = isDatabaseUnavailable(error);
      response.statusCode = unreachable ? 503 : 500;
      const message = unreachable ? 'The database is unavailable; try again shortly.' : 'The download failed; try again.';
      response.send(JSON.stringify(fail(ResultCode.Internal, message)));
    });
}
