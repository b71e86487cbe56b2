/**
 * Starts a throwaway local database for the whole run unless MONGODB_URI names one.
 * Workers inherit the URI through the environment; each test file uses its own database.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, RunningDatabase, startDatabase } from '../../tools/ferretdb/launcher';

declare global {
  // eslint-disable-next-line no-var
  var __INSPILOT_DB__: { db: RunningDatabase; dataDir: string } | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) return;
  const dataDir = mkdtempSync(join(tmpdir(), 'inspilot-test-db-'));
  const db = await startDatabase({ port: await freePort(), dataDir });
  process.env.MONGODB_URI = db.uri;
  globalThis.__INSPILOT_DB__ = { db, dataDir };
}
