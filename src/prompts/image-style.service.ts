import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import Handlebars from 'handlebars';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promptsConfig } from '../config/prompts.config';
import type { SdRequest } from '../providers/sd/sd.types';
import { TemplateError } from './prompt.service';

/** A designer's image style file (`prompts/sd/styles/<name>.json`). */
interface StyleFile {
  /** Handlebars template of the positive prompt; `{{prompt}}` is the step's prompt. */
  prompt: string;
  negative_prompt: string;
  /** Generation options of this style over the defaults. */
  options?: Partial<SdRequest>;
}

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
    const dir = join(this.config.dir, 'sd', 'styles');
    for (const name of readdirSync(dir).filter((file) => file.endsWith('.json'))) {
      const file = join(dir, name);
      let style: StyleFile;
      try {
        style = JSON.parse(readFileSync(file, 'utf8')) as StyleFile;
        this.handlebars.parse(style.prompt);
      } catch (error) {
        throw new TemplateError(`Image style ${file} is invalid: ${(error as Error).message}`);
      }
      if (typeof style.negative_prompt !== 'string') throw new TemplateError(`Image style ${file} has no negative_prompt`);
      this.styles.set(basename(name, '.json'), {
        prompt: this.handlebars.compile(style.prompt, { strict: true, noEscape: true }),
        negative: style.negative_prompt,
        options: style.options ?? {},
      });
    }
  }

  require(names: Iterable<string>, owner: string): void {
    const missing = [...names].filter((name) => !this.styles.has(name));
    if (missing.length) throw new TemplateError(`${owner} needs image styles that do not exist: ${missing.join(', ')}`);
  }

  request(styleName: string, prompt: string): SdRequest {
    const style = this.styles.get(styleName);
    if (!style) throw new TemplateError(`No image style "${styleName}"`);
    return { ...style.options, prompt: style.prompt({ prompt }).trim(), negative_prompt: style.negative };
  }
}
