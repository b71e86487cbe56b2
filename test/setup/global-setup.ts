/**
 * Starts a throwaway local database for the whole run unless MONGODB_URI names one.
 * Workers inherit the URI through the environment; each test file uses its own database.
 * Also generates the API docs' metadata that servers run from the sources load.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, RunningDatabase, startDatabase } from '../../tools/ferretdb/launcher';
import { sourceDocsMetadataFile } from '../../src/docs/source-docs-metadata';

declare global {
  // eslint-disable-next-line no-var
  var __INSPILOT_DB__: { db: RunningDatabase; dataDir: string } | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) {
    sourceDocsMetadataFile();
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'inspilot-test-db-'));
  const starting = startDatabase({ port: await freePort(), dataDir });
  // Servers the tests spawn from the sources read the API docs' metadata; made once here, not by each.
  sourceDocsMetadataFile();
  const db = await starting;
  process.env.MONGODB_URI = db.uri;
  globalThis.__INSPILOT_DB__ = { db, dataDir };
}
