import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { appsConfig } from '../config/apps.config';
import { GenerationApp, Pipeline, RegisterGenerationApp } from '../generate/generation-app';

/** The paint app: sketches and notes on a canvas, answered with visual and textual stimuli. */
@RegisterGenerationApp()
@Injectable()
export class PaintApp implements GenerationApp {
  readonly name = 'paint';
  readonly id: number;
  readonly pipelines: readonly Pipeline[] = [];

  constructor(@Inject(appsConfig.KEY) apps: ConfigType<typeof appsConfig>) {
    this.id = apps.paint.id;
  }
}
