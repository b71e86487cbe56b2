import { registerAs } from '@nestjs/config';
import { resolve } from 'node:path';
import { env } from './env';

export interface PromptsConfig {
  /** The designers' templates and image styles. */
  dir: string;
  /** Recompile a template when its file changes (development). */
  watch: boolean;
}

export const promptsConfig = registerAs(
  'prompts',
  (): PromptsConfig => ({
    dir: resolve(env('PROMPTS_DIR') ?? 'prompts'),
    watch: (env('PROMPTS_WATCH') ?? (env('NODE_ENV') === 'development' ? 'true' : 'false')) === 'true',
  }),
);
