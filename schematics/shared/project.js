// @ts-check
/**
 * What the app and pipeline schematics read from and add to the project: the APP_IDs and
 * types in use, module registrations, and the configuration lists.
 */
const { normalize } = require('@angular-devkit/core');
const { SchematicsException } = require('@angular-devkit/schematics');
const { ModuleDeclarator } = require('@nestjs/schematics');

/** @typedef {import('@angular-devkit/schematics').Tree} Tree */

/** Files under `dir` (recursively) whose path ends with `suffix`. */
function filesUnder(tree, dir, suffix) {
  const found = [];
  const visit = (entry) => {
    for (const file of entry.subfiles) if (file.endsWith(suffix)) found.push(`${entry.path}/${file}`);
    for (const sub of entry.subdirs) visit(entry.dir(sub));
  };
  visit(tree.getDir(dir));
  return found;
}

/** The smallest whole number not in `used`. */
function nextFree(used) {
  let candidate = 0;
  while (used.has(candidate)) candidate++;
  return candidate;
}

/** APP_IDs the apps' configurations default to (`<NAME>_APP_ID = <n>` in a `*.config.ts`). */
function appIdsInUse(tree) {
  const used = new Set();
  for (const file of filesUnder(tree, '/src', '.config.ts')) {
    for (const match of tree.readText(file).matchAll(/\b[A-Z][A-Z0-9_]*_APP_ID\s*=\s*(\d+)/g)) used.add(Number(match[1]));
  }
  return used;
}

/** Types the app's pipelines declare (`readonly type = <n>`). */
function typesInUse(tree, appDir) {
  const used = new Set();
  for (const file of filesUnder(tree, `${appDir}/pipelines`, '.pipeline.ts')) {
    const match = /readonly\s+type\s*=\s*(\d+)/.exec(tree.readText(file));
    if (match) used.add(Number(match[1]));
  }
  return used;
}

/** Adds `symbol` (exported from `from`, a path without extension) to the `metadata` list of the module at `modulePath`. */
function declareInModule(tree, modulePath, symbol, from, metadata) {
  if (!tree.exists(modulePath)) throw new SchematicsException(`${modulePath} does not exist`);
  const slash = from.lastIndexOf('/');
  const content = new ModuleDeclarator().declare(tree.readText(modulePath), {
    metadata,
    symbol,
    name: from.slice(slash + 1),
    path: normalize(from.slice(0, slash)),
    module: normalize(modulePath),
  });
  tree.overwrite(modulePath, content);
}

/** Adds `NAME=value` to .env.example after the other APP_IDs, with its comment. */
function addEnvVariable(tree, name, value, comment) {
  const file = '/.env.example';
  if (!tree.exists(file)) return;
  const lines = tree.readText(file).split('\n');
  if (lines.some((line) => line.startsWith(`${name}=`))) return;
  const last = lines.map((line) => /^[A-Z][A-Z0-9_]*_APP_ID=/.test(line)).lastIndexOf(true);
  const at = last >= 0 ? last + 1 : lines.length;
  lines.splice(at, 0, `# ${comment}`, `${name}=${value}`);
  tree.overwrite(file, lines.join('\n'));
}

/** Adds a row for `name` to the README's configuration table, after the other APP_IDs. */
function addReadmeRow(tree, name, value, meaning) {
  const file = '/README.md';
  if (!tree.exists(file)) return;
  const lines = tree.readText(file).split('\n');
  if (lines.some((line) => line.startsWith(`| \`${name}\` |`))) return;
  const last = lines.map((line) => /^\| `[A-Z][A-Z0-9_]*_APP_ID` \|/.test(line)).lastIndexOf(true);
  if (last < 0) return;
  lines.splice(last + 1, 0, `| \`${name}\` | \`${value}\` | ${meaning} |`);
  tree.overwrite(file, lines.join('\n'));
}

/** A kebab-case name, or a clear refusal. */
function checkName(value, what) {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(value ?? '')) {
    throw new SchematicsException(`The ${what} name must be kebab-case letters and digits, such as "essay" or "story-board" (got "${value}").`);
  }
  return value;
}

module.exports = { appIdsInUse, typesInUse, nextFree, declareInModule, addEnvVariable, addReadmeRow, checkName };
