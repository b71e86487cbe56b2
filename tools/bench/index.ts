/**
 * `npm run bench [generation|cluster|paint]`: the generation benchmark, the shared pool with two
 * API processes, the drawing-state benchmark, or all three (the default). Each starts its own
 * database, simulators and API (and Redis), and stops them.
 */
import { benchCluster } from './cluster';
import { benchGeneration } from './generation';
import { benchPaint } from './paint';

const SECTIONS: Record<string, () => Promise<void>> = { generation: benchGeneration, cluster: benchCluster, paint: benchPaint };

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(name in SECTIONS));
  if (unknown.length) throw new Error(`Unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(SECTIONS).join(', ')}.`);
  for (const name of asked.length ? asked : Object.keys(SECTIONS)) {
    console.log(`\n=== ${name} ===\n`);
    await SECTIONS[name]();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
