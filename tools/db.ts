/**
 * `npm run db`: the local database on 127.0.0.1:27017, data under .data/ferretdb.
 * Stays in the foreground until Ctrl-C.
 */
import { join, resolve } from 'node:path';
import { startDatabase } from './ferretdb/launcher';

async function main(): Promise<void> {
  const dataDir = join(resolve(__dirname, '..'), '.data', 'ferretdb');
  const db = await startDatabase({ port: 27017, dataDir, stdio: 'inherit' });
  console.log(`Local MongoDB-compatible database at ${db.uri}inspilot (data in ${dataDir}). Ctrl-C to stop.`);
  const stop = () => void db.stop().then(() => process.exit(0));
  process.once('SIGINT', stop).once('SIGTERM', stop);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
