import { IsInt, Matches, Max, Min } from 'class-validator';
import { defineConfig } from './define-config';
import { ToNumber } from './variables';

export class DatabaseVariables {
  /** `npm run db` serves the default address locally. */
  @Matches(/^mongodb(\+srv)?:\/\/\S+$/, { message: 'must be a mongodb:// or mongodb+srv:// connection string' })
  MONGODB_URI = 'mongodb://127.0.0.1:27017/inspilot';

  /** How long start-up keeps trying to reach the database before it exits. */
  @ToNumber() @IsInt() @Min(1000) @Max(600000)
  MONGODB_CONNECT_TIMEOUT_MS = 30000;

  /** How long a request waits for an unreachable database before it answers 503. */
  @ToNumber() @IsInt() @Min(100) @Max(600000)
  MONGODB_OPERATION_TIMEOUT_MS = 2000;

  /** A sketch no longer in its owner's state is deleted once unused this long (protects saves running at the same time). */
  @ToNumber() @IsInt() @Min(0) @Max(86400000)
  SKETCH_GC_GRACE_MS = 60000;

  /** Recently read or saved drawing-state blobs kept in memory, in MB (0 keeps none). */
  @ToNumber() @IsInt() @Min(0) @Max(65536)
  SKETCH_CACHE_MB = 128;
}

export interface DatabaseConfig {
  uri: string;
  connectTimeoutMs: number;
  operationTimeoutMs: number;
  sketchGcGraceMs: number;
  sketchCacheBytes: number;
}

export const databaseConfig = defineConfig(
  'database',
  DatabaseVariables,
  (v): DatabaseConfig => ({
    uri: v.MONGODB_URI,
    connectTimeoutMs: v.MONGODB_CONNECT_TIMEOUT_MS,
    operationTimeoutMs: v.MONGODB_OPERATION_TIMEOUT_MS,
    sketchGcGraceMs: v.SKETCH_GC_GRACE_MS,
    sketchCacheBytes: v.SKETCH_CACHE_MB * 1024 * 1024,
  }),
);
