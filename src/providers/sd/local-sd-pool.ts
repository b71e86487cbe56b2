import { Inject, Injectable } from '@nestjs/common';
import { SD_DEFAULTS, type SdDefaults } from './sd-defaults.provider';
import type { SdInstance } from './sd-instance.state';
import { SD_INSTANCES } from './sd-instances.provider';
import { ImagePlace, SdJobScheduler } from './sd-job.scheduler';
import { SdPoolService } from './sd-pool.service';
import type { SdPoolStatusDto } from './sd-status.dto';
import type { SdImage, SdRequest } from './sd.types';

/** The pool in this process's memory: right when one API process uses the instances. */
@Injectable()
export class LocalSdPool extends SdPoolService {
  constructor(
    private readonly scheduler: SdJobScheduler,
    @Inject(SD_INSTANCES) private readonly instances: SdInstance[],
    @Inject(SD_DEFAULTS) defaults: SdDefaults,
  ) {
    super(defaults);
  }

  protected run(payload: SdRequest, step: string, signal?: AbortSignal, place?: ImagePlace): Promise<SdImage> {
    return this.scheduler.run(payload, step, signal, place);
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async status(detailed = false): Promise<SdPoolStatusDto> {
    return { instances: this.instances.map((instance) => instance.status(detailed)), queued: this.scheduler.queued };
  }
}
