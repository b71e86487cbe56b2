import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { GenerationApp, RegisterGenerationApp } from '../../engine';
import { paintConfig } from './paint.config';

/** The paint app: sketches and notes on a canvas, answered with visual and textual stimuli. */
@RegisterGenerationApp()
@Injectable()
export class PaintApp implements GenerationApp {
  readonly name = 'paint';
  readonly id: number;

  constructor(@Inject(paintConfig.KEY) config: ConfigType<typeof paintConfig>) {
    this.id = config.appId;
  }
}
