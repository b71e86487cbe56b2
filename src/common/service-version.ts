import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The version in package.json; the same from `src/` (ts-node, jest) and `dist/` (build). */
export const SERVICE_VERSION: string = (
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
).version;
