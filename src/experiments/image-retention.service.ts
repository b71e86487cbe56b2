import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { researchConfig } from '../config/research.config';
import { ExperimentImageStore } from './experiment-image-store.service';
import { ExperimentsRepository } from './experiments.repository';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes experiment images older than EXPERIMENT_IMAGE_RETENTION_DAYS, keeping the records
 * (their images are marked removed). Runs at start-up and then daily; off by default.
 */
@Injectable()
export class ImageRetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ImageRetentionService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly repository: ExperimentsRepository,
    private readonly images: ExperimentImageStore,
    @Inject(researchConfig.KEY) private readonly config: ConfigType<typeof researchConfig>,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.imageRetentionDays <= 0) return;
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), DAY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Removes the images of experiments started before the retention age; returns how many records changed. */
  async sweep(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.config.imageRetentionDays * DAY_MS);
    let records = 0;
    try {
      for await (const record of this.repository.withImagesBefore(before)) {
        const id = String(record._id);
        await this.images.deleteOwned(id);
        await this.repository.update(id, {
          $set: { images: record.images.map((image) => ({ ...image, removed: true })), imagesRemovedAt: now },
        });
        records += 1;
      }
      if (records) this.logger.log(`Removed the images of ${records} experiment(s) started before ${before.toISOString()}`);
    } catch (error) {
      this.logger.error(`Image retention sweep failed: ${(error as Error).message}`);
    }
    return records;
  }
}
