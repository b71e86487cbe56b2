import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { generationConfig } from '../config/generation.config';
import type { RunningJob } from './running-job';

/**
 * The runs in flight by the key of their request (job-key), so that an identical request
 * joins one instead of starting another: the front end sends some requests twice or three
 * times at once. Off with GENERATE_DEDUPE=false. A cancelled run is never joined.
 */
@Injectable()
export class DuplicateRuns {
  private readonly inFlight = new Map<string, RunningJob>();
  readonly enabled: boolean;

  constructor(@Inject(generationConfig.KEY) config: ConfigType<typeof generationConfig>) {
    this.enabled = config.dedupe;
  }

  find(key: string | undefined): RunningJob | undefined {
    const job = key === undefined ? undefined : this.inFlight.get(key);
    return job && !job.cancelled ? job : undefined;
  }

  add(job: RunningJob): void {
    if (job.key !== undefined) this.inFlight.set(job.key, job);
  }

  remove(job: RunningJob): void {
    if (job.key !== undefined && this.inFlight.get(job.key) === job) this.inFlight.delete(job.key);
  }
}
