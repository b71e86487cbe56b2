import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const started = globalThis.__INSPILOT_DB__;
  if (!started) return;
  // Each jest project calls the teardown; the first one stops the database.
  globalThis.__INSPILOT_DB__ = undefined;
  await started.db.stop();
  rmSync(started.dataDir, { recursive: true, force: true });
}
