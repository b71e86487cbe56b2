import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { researchConfig } from '../config/research.config';
import { ExperimentImageStore } from './experiment-image-store.service';
import { ExperimentsRepository } from './experiments.repository';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes experiment images older than EXPERIMENT_IMAGE_RETENTION_DAYS, keeping the records
 * (their images are marked removed). When it runs is the maintenance schedule's business.
 */
@Injectable()
export class ImageRetentionService {
  private readonly logger = new Logger(ImageRetentionService.name);

  constructor(
    private readonly repository: ExperimentsRepository,
    private readonly images: ExperimentImageStore,
    @Inject(researchConfig.KEY) private readonly config: ConfigType<typeof researchConfig>,
  ) {}

  /** Whether images are ever deleted (EXPERIMENT_IMAGE_RETENTION_DAYS above 0). */
  get enabled(): boolean {
    return this.config.imageRetentionDays > 0;
  }

  /**
   * Removes the images of experiments started before the retention age; returns how many
   * records changed. Stops between two records once `signal` is aborted (what was swept stays
   * swept; the next sweep goes on from there).
   */
  async sweep(now = new Date(), signal?: AbortSignal): Promise<number> {
    if (!this.enabled) return 0;
    const before = new Date(now.getTime() - this.config.imageRetentionDays * DAY_MS);
    let records = 0;
    try {
      for await (const record of this.repository.withImagesBefore(before)) {
        signal?.throwIfAborted();
        const id = String(record._id);
        await this.images.deleteOwned(id);
        await this.repository.update(id, {
          $set: { images: record.images.map((image) => ({ ...image, removed: true })), imagesRemovedAt: now },
        });
        records += 1;
      }
    } finally {
      if (records) this.logger.log(`Removed the images of ${records} experiment(s) started before ${before.toISOString()}`);
    }
    return records;
  }
}
