import { ConfigType } from '@nestjs/config';
import { sdConfig } from '../../config/sd.config';
import { SdInstance } from './sd-instance.state';

/** DI token of the pool's instances, named `sd-1`, `sd-2`, … in configuration order. */
export const SD_INSTANCES = Symbol('SD_INSTANCES');

export const sdInstancesProvider = {
  provide: SD_INSTANCES,
  inject: [sdConfig.KEY],
  useFactory: (config: ConfigType<typeof sdConfig>): SdInstance[] =>
    config.endpoints.map((url, index) => new SdInstance(`sd-${index + 1}`, url, config.slotsPerInstance)),
};
