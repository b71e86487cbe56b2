import { SwaggerModule } from '@nestjs/swagger';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** The static the Swagger plugin adds to every class it documents. */
const PLUGIN_METADATA = '_OPENAPI_METADATA_FACTORY';
/** The Swagger plugin's options; nest-cli.json and the jest transformer name the same. */
export const SWAGGER_PLUGIN_OPTIONS = { introspectComments: true, classValidatorShim: true, dtoFileNameSuffix: ['.dto.ts'] };

const SOURCE_ROOT = resolve(__dirname, '..');
const CACHE_DIR = resolve(SOURCE_ROOT, '..', '.data', 'openapi');

/** True when `cls` was compiled by the Swagger plugin (`nest build`, the jest transformer). */
export function hasPluginMetadata(cls: object): boolean {
  return Object.prototype.hasOwnProperty.call(cls, PLUGIN_METADATA);
}

/**
 * A server run straight from the TypeScript sources (`ts-node --transpile-only`: the demo, the
 * bench, spawned test servers) is compiled without the Swagger plugin, so its DTOs would have
 * no documented properties. This gives it the metadata `nest build` would have compiled in:
 * the plugin's own generator reads the DTOs and controllers once per version of the sources
 * and the result is kept under .data/openapi, so the document is the same wherever it is served.
 */
export async function loadSourceDocsMetadata(sample: object): Promise<void> {
  if (hasPluginMetadata(sample)) return;
  const file = sourceDocsMetadataFile();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const metadata = require(file) as { default: () => Promise<Record<string, unknown>> };
  await SwaggerModule.loadPluginMetadata(metadata.default);
}

/** The generated metadata module for the sources as they are now, generated when missing. */
export function sourceDocsMetadataFile(): string {
  const sources = sourceFiles(SOURCE_ROOT);
  const hash = createHash('sha256');
  hash.update(toolVersions());
  for (const file of sources) hash.update(relative(SOURCE_ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  const name = `metadata-${hash.digest('hex').slice(0, 16)}`;
  const file = join(CACHE_DIR, `${name}.ts`);
  if (!existsSync(file)) generate(sources, name);
  return file;
}

function generate(sources: string[], name: string): void {
  mkdirSync(CACHE_DIR, { recursive: true });
  // Development tools, absent from a production install, whose build has the metadata compiled in.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const ts = require('typescript') as typeof import('typescript');
  const { PluginMetadataGenerator } = require('@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator');
  const { ReadonlyVisitor } = require('@nestjs/swagger/dist/plugin');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const config = ts.getParsedCommandLineOfConfigFile(resolve(SOURCE_ROOT, '..', 'tsconfig.build.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(`tsconfig.build.json: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
    },
  });
  // The plugin reads only DTOs and controllers; a program rooted at them is a fraction of the whole.
  const roots = sources.filter((file) => /\.(dto|controller)\.ts$/.test(file));
  const program = ts.createProgram(roots, config!.options);
  // Written beside its final name, then renamed: servers starting at once never read half a file.
  const partial = `${name}.${process.pid}.partial.ts`;
  new PluginMetadataGenerator().generate({
    visitors: [new ReadonlyVisitor({ ...SWAGGER_PLUGIN_OPTIONS, pathToSource: CACHE_DIR })],
    outputDir: CACHE_DIR,
    filename: partial,
    tsProgramRef: program,
    printDiagnostics: false,
  });
  renameSync(join(CACHE_DIR, partial), join(CACHE_DIR, `${name}.ts`));
  for (const old of readdirSync(CACHE_DIR)) {
    if (old.startsWith('metadata-') && !old.startsWith(name)) rmSync(join(CACHE_DIR, old), { force: true });
  }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function toolVersions(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return ['@nestjs/swagger', '@nestjs/cli', 'typescript'].map((name) => `${name}@${require(`${name}/package.json`).version}`).join(',');
}
