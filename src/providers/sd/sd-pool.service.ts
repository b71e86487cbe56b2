import { mergeSdOptions, type SdDefaults } from './sd-defaults.provider';
import type { ImagePlace } from './sd-job.scheduler';
import type { SdPoolStatusDto } from './sd-status.dto';
import type { SdImage, SdRequest } from './sd.types';

/**
 * What the pipelines and the status route use of the Stable Diffusion pool: images made from
 * the designers' defaults, and how the instances are doing. Scheduling, health and the WebUI
 * wire format live behind it: in this process (LocalSdPool), or shared by every node through
 * Redis (ClusterSdPool); SdPoolModule picks one.
 */
export abstract class SdPoolService {
  constructor(private readonly defaults: SdDefaults) {}

  /**
   * One image; `signal` gives up the job, queued or running, when its generation no longer
   * needs it. `place` lets a pool start a generation's images slot by slot (see SdJobScheduler).
   */
  txt2img(request: SdRequest, step: string, signal?: AbortSignal, place?: ImagePlace): Promise<SdImage> {
    return this.run(mergeSdOptions(this.defaults, request), step, signal, place);
  }

  /** Health and load of each instance and the queue; `detailed` adds addresses and last errors (researchers only). */
  abstract status(detailed?: boolean): Promise<SdPoolStatusDto>;

  protected abstract run(payload: SdRequest, step: string, signal?: AbortSignal, place?: ImagePlace): Promise<SdImage>;
}
