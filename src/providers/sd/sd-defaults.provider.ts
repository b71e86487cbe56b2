import { ConfigType } from '@nestjs/config';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promptsConfig } from '../../config/prompts.config';
import type { SdRequest } from './sd.types';

/** DI token of the generation options every image starts from (the designers' `prompts/sd/defaults.json`). */
export const SD_DEFAULTS = Symbol('SD_DEFAULTS');
export type SdDefaults = Partial<SdRequest>;

export const sdDefaultsProvider = {
  provide: SD_DEFAULTS,
  inject: [promptsConfig.KEY],
  useFactory: (prompts: ConfigType<typeof promptsConfig>): SdDefaults => {
    const file = join(prompts.dir, 'sd', 'defaults.json');
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as SdDefaults;
    } catch (error) {
      throw new Error(`Cannot read the Stable Diffusion defaults ${file}: ${(error as Error).message}`);
    }
  },
};

/** Per-task options over the defaults; `override_settings` is merged key by key. */
export function mergeSdOptions(defaults: SdDefaults, request: SdRequest): SdRequest {
  return {
    ...defaults,
    ...request,
    override_settings: { ...(defaults.override_settings ?? {}), ...(request.override_settings ?? {}) },
  };
}
