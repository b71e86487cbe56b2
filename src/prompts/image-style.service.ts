import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import Handlebars from 'handlebars';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promptsConfig } from '../config/prompts.config';
import type { SdRequest } from '../providers/sd/sd.types';
import { TemplateError } from './prompt.service';

/** A designer's image style file (`prompts/<app>/styles/<style>.json`, named `<app>/<style>`). */
interface StyleFile {
  /** Handlebars template of the positive prompt; `{{prompt}}` is the step's prompt. */
  prompt: string;
  negative_prompt: string;
  /** Generation options of this style over the defaults. */
  options?: Partial<SdRequest>;
}

const STYLES_DIR = 'styles';

interface CompiledStyle {
  prompt: Handlebars.TemplateDelegate;
  negative: string;
  options: Partial<SdRequest>;
}

/** Wraps a step's image prompt in a style (scene, product) into a WebUI request. */
@Injectable()
export class ImageStyleService implements OnModuleInit {
  private readonly styles = new Map<string, CompiledStyle>();
  private readonly handlebars = Handlebars.create();

  constructor(@Inject(promptsConfig.KEY) private readonly config: ConfigType<typeof promptsConfig>) {}

  onModuleInit(): void {
    const apps = readdirSync(this.config.dir, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    for (const app of apps.map((entry) => entry.name)) {
      const dir = join(this.config.dir, app, STYLES_DIR);
      if (!existsSync(dir)) continue;
      for (const name of readdirSync(dir).filter((file) => file.endsWith('.json'))) this.load(`${app}/${basename(name, '.json')}`, join(dir, name));
    }
  }

  has(name: string): boolean {
    return this.styles.has(name);
  }

  /** The file style `name` (`<app>/<style>`) is read from. */
  fileOf(name: string): string {
    return join(this.config.dir, dirname(name), STYLES_DIR, `${basename(name)}.json`);
  }

  request(styleName: string, prompt: string): SdRequest {
    const style = this.styles.get(styleName);
    if (!style) throw new TemplateError(`No image style "${styleName}"`);
    return { ...style.options, prompt: style.prompt({ prompt }).trim(), negative_prompt: style.negative };
  }

  private load(name: string, file: string): void {
    let style: StyleFile;
    try {
      style = JSON.parse(readFileSync(file, 'utf8')) as StyleFile;
      this.handlebars.parse(style.prompt);
    } catch (error) {
      throw new TemplateError(`Image style ${file} is invalid: ${(error as Error).message}`);
    }
    if (typeof style.negative_prompt !== 'string') throw new TemplateError(`Image style ${file} has no negative_prompt`);
    this.styles.set(name, {
      prompt: this.handlebars.compile(style.prompt, { strict: true, noEscape: true }),
      negative: style.negative_prompt,
      options: style.options ?? {},
    });
  }
}
