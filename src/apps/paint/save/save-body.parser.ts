import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Piscina } from 'piscina';
import { BusinessError } from '../../../common/errors';
import type { ParsedSave, SaveBodyResult } from './parsed-save';

/** A body this large arrives in several socket reads, so body-parser has copied it into a buffer of its own. */
const TRANSFER_FROM_BYTES = 64 * 1024;

/** Parses and validates /paint/save bodies in worker threads (see save-body.worker). */
@Injectable()
export class SaveBodyParser implements OnApplicationShutdown {
  private readonly pool: Piscina<{ body: Uint8Array }, SaveBodyResult>;

  constructor() {
    const extension = extname(__filename);
    this.pool = new Piscina({
      filename: join(__dirname, `save-body.worker${extension}`),
      // Run from TypeScript (development, tests), the worker compiles its own source the same way.
      execArgv: extension === '.ts' ? ['-r', 'ts-node/register/transpile-only'] : [],
      // Threads start with the first save and stay while saves keep coming.
      minThreads: 0,
      maxThreads: availableParallelism(),
      idleTimeout: 60_000,
    });
  }

  async parse(body: unknown): Promise<ParsedSave> {
    if (!Buffer.isBuffer(body)) throw new BusinessError('Send the drawing state as JSON, with the header Content-Type: application/json.');
    // Moved, not copied, when the buffer holds nothing else (a small one may share Node's pool).
    const own = body.length >= TRANSFER_FROM_BYTES && body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    const input = own ? body : new Uint8Array(body);
    const result = await this.pool.run({ body: input }, { transferList: [input.buffer as ArrayBuffer] });
    if (!result.ok) throw new BusinessError(result.problem);
    return result.save;
  }

  /** After the HTTP server has stopped and its requests have finished, so no save in flight loses its worker. */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.destroy();
  }
}
