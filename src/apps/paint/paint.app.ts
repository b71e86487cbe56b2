import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { appsConfig } from './paint.config';
import { GenerationRunFactory } from '../../engine/generation-engine.service';
import { GenerationApp, Pipeline, RegisterGenerationApp } from '../../engine/generation-app';
import { ConvergenceCombinationPipeline } from './pipelines/convergence-combination.pipeline';
import { ConvergenceNamingPipeline } from './pipelines/convergence-naming.pipeline';
import { DeepDivergencePipeline } from './pipelines/deep-divergence.pipeline';
import { RapidDivergencePipeline } from './pipelines/rapid-divergence.pipeline';

/** The paint app: sketches and notes on a canvas, answered with visual and textual stimuli. */
@RegisterGenerationApp()
@Injectable()
export class PaintApp implements GenerationApp, OnModuleInit {
  readonly name = 'paint';
  readonly id: number;
  readonly pipelines: readonly Pipeline[];

  constructor(
    @Inject(appsConfig.KEY) apps: ConfigType<typeof appsConfig>,
    private readonly runs: GenerationRunFactory,
    rapid: RapidDivergencePipeline,
    deep: DeepDivergencePipeline,
    naming: ConvergenceNamingPipeline,
    combination: ConvergenceCombinationPipeline,
  ) {
    this.id = apps.paint.id;
    this.pipelines = [rapid, deep, naming, combination];
  }

  onModuleInit(): void {
    for (const pipeline of this.pipelines) this.runs.check(pipeline.graph, `Paint pipeline "${pipeline.name}"`);
  }
}
