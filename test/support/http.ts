import type { Response } from 'supertest';
import type { ExperimentDto } from '../../src/experiments/dto/experiment.dto';

/** Collects a response body as bytes whatever its content type (a supertest parser). */
export function binary(res: Response, done: (error: Error | null, body: Buffer) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
  stream.on('error', (error: Error) => done(error, Buffer.alloc(0)));
}

/** A value as it arrives in JSON: dates are strings. */
export type Json<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

/** An experiment as GET /experiments/:id answers it. */
export type ExperimentJson = Json<ExperimentDto>;
