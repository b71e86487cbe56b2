import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { TerminusModule } from '@nestjs/terminus';
import { ExperimentImageStore } from './experiment-image-store.service';
import { Experiment, ExperimentSchema } from './experiment.schema';
import { ExperimentsController } from './experiments.controller';
import { ExperimentsRepository } from './experiments.repository';
import { ExperimentsService } from './experiments.service';
import { ExperimentExportService } from './export/experiment-export.service';
import { ImageRetentionService } from './image-retention.service';
import { RecordBacklogGauges } from './record-backlog.gauges';
import { RecordingHealth } from './recording-health';
import { ResearchApiKeyGuard } from './research-api-key.guard';
import { UsersExperimentsController } from './users-experiments.controller';

/** The record of every generation, and the researchers' routes to query, view and export it. */
@Module({
  imports: [MongooseModule.forFeature([{ name: Experiment.name, schema: ExperimentSchema }]), TerminusModule],
  controllers: [ExperimentsController, UsersExperimentsController],
  providers: [
    ExperimentsRepository,
    ExperimentsService,
    ExperimentImageStore,
    ExperimentExportService,
    ImageRetentionService,
    RecordingHealth,
    RecordBacklogGauges,
    ResearchApiKeyGuard,
  ],
  exports: [ExperimentsService, ImageRetentionService, RecordingHealth],
})
export class ExperimentsModule {}
