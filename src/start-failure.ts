import mongoose from 'mongoose';
import { isDatabaseUnreachable } from './common/mongo-errors';
import { ConfigurationError } from './config/environment';
import type { DatabaseConfig } from './config/database.config';

/** Hides the password of a connection string before it is printed. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/** The sentence printed when the service cannot start, naming what to fix. */
export function explainStartFailure(error: unknown, database: DatabaseConfig | undefined): string {
  if (error instanceof ConfigurationError) return error.message;
  if (isDatabaseUnreachable(error) && database) {
    const { uri, connectTimeoutMs } = database;
    return (
      `Cannot reach MongoDB at ${redactUri(uri)} (gave up after ${connectTimeoutMs / 1000} s). ` +
      'Start the local database with `npm run db`, or set MONGODB_URI to a running server.'
    );
  }
  return error instanceof Error ? error.message : String(error);
}

/** Resolves once the database answers, within the configured start-up wait. */
export async function probeDatabase({ uri, connectTimeoutMs }: DatabaseConfig): Promise<void> {
  const connection = mongoose.createConnection(uri, { serverSelectionTimeoutMS: connectTimeoutMs });
  try {
    await connection.asPromise();
  } finally {
    await connection.close().catch(() => undefined);
  }
}
