import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { EngineModule, GenerationAppModule } from '../../engine';
import { StorageModule } from '../../storage/storage.module';
import { UsersModule } from '../../users/users.module';
import { PaintApp } from './paint.app';
import { paintConfig } from './paint.config';
import { PaintController } from './paint.controller';
import { ConvergenceCombinationPipeline } from './pipelines/convergence-combination.pipeline';
import { ConvergenceNamingPipeline } from './pipelines/convergence-naming.pipeline';
import { DeepDivergencePipeline } from './pipelines/deep-divergence.pipeline';
import { RapidDivergencePipeline } from './pipelines/rapid-divergence.pipeline';
import { SaveBodyParser } from './save/save-body.parser';
import { LegacyStateMigration } from './state/legacy-state.migration';
import { PaintState, PaintStateSchema } from './state/paint-state.schema';
import { PaintStateRepository } from './state/paint-state.repository';
import { PaintStateService } from './state/paint-state.service';

@GenerationAppModule({ config: paintConfig })
@Module({
  imports: [MongooseModule.forFeature([{ name: PaintState.name, schema: PaintStateSchema }]), UsersModule, StorageModule, EngineModule],
  controllers: [PaintController],
  providers: [
    PaintApp,
    RapidDivergencePipeline,
    DeepDivergencePipeline,
    ConvergenceNamingPipeline,
    ConvergenceCombinationPipeline,
    SaveBodyParser,
    PaintStateRepository,
    PaintStateService,
    LegacyStateMigration,
  ],
})
export class PaintModule {}
