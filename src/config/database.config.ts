import { registerAs } from '@nestjs/config';
import { env } from './env';

export const LOCAL_MONGODB_URI = 'mongodb://127.0.0.1:27017/inspilot';

export interface DatabaseConfig {
  uri: string;
  /** How long start-up keeps trying to reach the server before giving up. */
  connectTimeoutMs: number;
  /**
   * A sketch no longer referenced by its owner's state is deleted only once it has been
   * unused this long, so that a save running at the same time that reuses it keeps it.
   */
  sketchGcGraceMs: number;
}

export const databaseConfig = registerAs(
  'database',
  (): DatabaseConfig => ({
    uri: env('MONGODB_URI') ?? LOCAL_MONGODB_URI,
    connectTimeoutMs: Number(env('MONGODB_CONNECT_TIMEOUT_MS') ?? 30000),
    sketchGcGraceMs: Number(env('SKETCH_GC_GRACE_MS') ?? 60000),
  }),
);
