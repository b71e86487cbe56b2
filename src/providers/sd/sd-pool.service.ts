import { Inject, Injectable } from '@nestjs/common';
import { mergeSdOptions, SD_DEFAULTS, SdDefaults } from './sd-defaults.provider';
import type { SdInstance } from './sd-instance.state';
import { SD_INSTANCES } from './sd-instances.provider';
import { ImagePlace, SdJobScheduler } from './sd-job.scheduler';
import type { SdPoolStatusDto } from './sd-status.dto';
import type { SdImage, SdRequest } from './sd.types';

/**
 * What the pipelines and the status route use of the Stable Diffusion pool: images made from
 * the designers' defaults, and how the instances are doing. Scheduling, health and the WebUI
 * wire format live behind it.
 */
@Injectable()
export class SdPoolService {
  constructor(
    private readonly scheduler: SdJobScheduler,
    @Inject(SD_INSTANCES) private readonly instances: SdInstance[],
    @Inject(SD_DEFAULTS) private readonly defaults: SdDefaults,
  ) {}

  /**
   * One image; `signal` gives up the job, queued or running, when its generation no longer
   * needs it. The images of one generation (one signal) go in slot order (see SdJobScheduler).
   */
  txt2img(request: SdRequest, step: string, signal?: AbortSignal, place?: ImagePlace): Promise<SdImage> {
    return this.scheduler.run(mergeSdOptions(this.defaults, request), step, signal, place);
  }

  /** Health and load of each instance and the queue; `detailed` adds addresses and last errors (researchers only). */
  status(detailed = false): SdPoolStatusDto {
    return { instances: this.instances.map((instance) => instance.status(detailed)), queued: this.scheduler.queued };
  }
}
