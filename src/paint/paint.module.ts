import { Module } from '@nestjs/common';
import { GenerationModule } from '../generation/generation.module';
import { UsersModule } from '../users/users.module';
import { PaintApp } from './paint.app';
import { PaintController } from './paint.controller';
import { ConvergenceCombinationPipeline } from './pipelines/convergence-combination.pipeline';
import { ConvergenceNamingPipeline } from './pipelines/convergence-naming.pipeline';
import { DeepDivergencePipeline } from './pipelines/deep-divergence.pipeline';
import { RapidDivergencePipeline } from './pipelines/rapid-divergence.pipeline';

@Module({
  imports: [UsersModule, GenerationModule],
  controllers: [PaintController],
  providers: [PaintApp, RapidDivergencePipeline, DeepDivergencePipeline, ConvergenceNamingPipeline, ConvergenceCombinationPipeline],
})
export class PaintModule {}
