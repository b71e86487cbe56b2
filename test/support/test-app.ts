import type { LogLevel, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { Connection } from 'mongoose';
import { getConnectionToken } from '@nestjs/mongoose';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { loadServiceEnvironment } from '../../src/app.environment';

/** The test run's database server with a database of the caller's own, so test files never share data. */
export function isolatedDatabaseUri(): string {
  const base = process.env.MONGODB_URI;
  if (!base) throw new Error('MONGODB_URI is not set; the jest global setup starts a database');
  const url = new URL(base);
  url.pathname = `/inspilot_test_${randomBytes(6).toString('hex')}`;
  return url.toString();
}

export interface TestApp {
  app: NestExpressApplication;
  connection: Connection;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Test-only controllers added beside the app's own. */
  controllers?: Type<unknown>[];
  /** Nest's log levels; `false` silences it. */
  logger?: LogLevel[] | false;
}

/**
 * The real application with the real set-up, on its own database. `env` sets variables
 * for this app only; they are restored afterwards.
 */
export async function createTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const saved = { ...process.env };
  // LOG_LEVEL silent: the access log would print every request into jest's output; the services
  // log through Nest's own logger here (`options.logger`), which keeps errors and warnings.
  Object.assign(process.env, { MONGODB_URI: isolatedDatabaseUri(), SKETCH_GC_GRACE_MS: '0', LOG_LEVEL: 'silent' }, env);
  try {
    const environment = loadServiceEnvironment(process.env);
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(environment)], controllers: options.controllers ?? [] }).compile();
    const app = await configureApp(
      moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: options.logger ?? ['error', 'warn'] }),
    );
    try {
      await app.init();
    } catch (error) {
      // A start-up refusal under test: release what started before it.
      await app.close().catch(() => undefined);
      throw error;
    }
    const connection = app.get<Connection>(getConnectionToken());
    return {
      app,
      connection,
      close: async () => {
        await connection.dropDatabase().catch(() => undefined);
        await app.close();
      },
    };
  } finally {
    process.env = saved;
  }
}
