import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import Handlebars from 'handlebars';
import { createHash } from 'node:crypto';
import { FSWatcher, readdirSync, readFileSync, statSync, watch } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { AppError } from '../common/errors';
import { ResultCode } from '../common/result-code';
import { promptsConfig } from '../config/prompts.config';

/** A rendered prompt and which template text made it, for the experiment record. */
export interface RenderedPrompt {
  text: string;
  template: string;
  hash: string;
}

interface Compiled {
  render: Handlebars.TemplateDelegate;
  hash: string;
  file: string;
}

const PARTIALS_DIR = 'partials';

/** A template or style the prompts folder lacks or cannot render: the service's fault, not the caller's. */
export class TemplateError extends AppError {
  readonly code = ResultCode.Internal;
  readonly status = 500;
}

function listFiles(dir: string, extension: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listFiles(path, extension);
    return path.endsWith(extension) ? [path] : [];
  });
}

/**
 * The designers' Handlebars templates (`prompts/**\/*.hbs`), compiled once at start-up.
 * A template is named by its path without extension (`paint/products`); files under
 * `partials/` are partials (`{{> list-format}}`). Rendering is strict: a variable the
 * template uses but the step does not give is an error, never an empty string.
 */
@Injectable()
export class PromptService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PromptService.name);
  private readonly templates = new Map<string, Compiled>();
  private watcher?: FSWatcher;

  constructor(@Inject(promptsConfig.KEY) private readonly config: ConfigType<typeof promptsConfig>) {}

  onModuleInit(): void {
    this.load();
    if (this.config.watch) this.watch();
  }

  onModuleDestroy(): void {
    this.watcher?.close();
  }

  has(name: string): boolean {
    return this.templates.has(name);
  }

  /** The file template `name` is read from. */
  fileOf(name: string): string {
    return join(this.config.dir, `${name}.hbs`);
  }

  render(name: string, context: object): RenderedPrompt {
    const compiled = this.templates.get(name);
    if (!compiled) throw new TemplateError(`No template "${name}" in ${this.config.dir}`);
    let text: string;
    try {
      text = compiled.render(context, { allowProtoPropertiesByDefault: false });
    } catch (error) {
      const missing = /"(.+)" not defined/.exec((error as Error).message)?.[1];
      throw new TemplateError(
        missing
          ? `Template "${name}" (${compiled.file}) uses "${missing}", which the step does not provide`
          : `Template "${name}" (${compiled.file}) failed to render: ${(error as Error).message}`,
      );
    }
    return { text: text.trim(), template: name, hash: compiled.hash };
  }

  /** Compiles every template and partial; a template that does not parse stops the start with its file name. */
  private load(): void {
    const handlebars = Handlebars.create();
    const templates = new Map<string, Compiled>();
    const partialsDir = join(this.config.dir, PARTIALS_DIR);
    const sources = listFiles(this.config.dir, '.hbs').map((file) => ({
      file,
      source: readFileSync(file, 'utf8'),
      name: relative(this.config.dir, file).slice(0, -'.hbs'.length).split(sep).join('/'),
      partial: file.startsWith(partialsDir + sep),
    }));
    for (const { file, source } of sources) {
      try {
        // compile() is lazy; parsing now is what reports a broken template at start-up.
        handlebars.parse(source);
      } catch (error) {
        throw new TemplateError(`Template ${file} does not compile: ${(error as Error).message}`);
      }
    }
    const partials = sources.filter((entry) => entry.partial);
    for (const { name, source } of partials) handlebars.registerPartial(name.slice(PARTIALS_DIR.length + 1), source);
    // The hash covers the partials too: a changed partial changes what every template renders.
    const partialText = partials.map((entry) => entry.source).join('\n');
    for (const { file, source, name, partial } of sources) {
      if (partial) continue;
      templates.set(name, {
        render: handlebars.compile(source, { strict: true, noEscape: true }),
        hash: createHash('sha256').update(source).update(partialText).digest('hex').slice(0, 16),
        file,
      });
    }
    this.templates.clear();
    templates.forEach((compiled, name) => this.templates.set(name, compiled));
    this.logger.log(`Loaded ${templates.size} prompt templates from ${this.config.dir}`);
  }

  private watch(): void {
    this.watcher = watch(this.config.dir, { recursive: true }, (_event, file) => {
      if (!file?.endsWith('.hbs')) return;
      try {
        this.load();
      } catch (error) {
        // Keep serving the last good templates while the designer fixes the file.
        this.logger.error(`Templates not reloaded: ${(error as Error).message}`);
      }
    });
    // A watcher that fails (the folder removed, too many files) stops reloading, not the server.
    this.watcher.on('error', (error) => this.logger.error(`Stopped watching ${this.config.dir}: ${error.message}`));
  }
}
