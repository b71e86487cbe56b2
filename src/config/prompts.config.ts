import { IsBoolean, IsOptional, IsString } from 'class-validator';
import { resolve } from 'node:path';
import { defineConfig } from './define-config';
import { serverConfig } from './server.config';
import { ToBoolean } from './variables';

export class PromptsVariables {
  /** The designers' Handlebars templates and image styles. */
  @IsString()
  PROMPTS_DIR = 'prompts';

  /** Recompile templates when their files change; unset, on when NODE_ENV is development. */
  @IsOptional() @ToBoolean() @IsBoolean({ message: 'must be true or false' })
  PROMPTS_WATCH?: boolean = undefined;
}

export interface PromptsConfig {
  dir: string;
  watch: boolean;
}

export const promptsConfig = defineConfig(
  'prompts',
  PromptsVariables,
  (v, environment): PromptsConfig => ({
    dir: resolve(v.PROMPTS_DIR),
    watch: v.PROMPTS_WATCH ?? environment.variables(serverConfig).NODE_ENV === 'development',
  }),
);
