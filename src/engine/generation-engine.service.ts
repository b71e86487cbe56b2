import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { generationConfig } from '../config/generation.config';
import { GptService } from '../providers/gpt/gpt.service';
import { SdPoolService } from '../providers/sd/sd-pool.service';
import { ImageStyleService } from '../prompts/image-style.service';
import { PromptService } from '../prompts/prompt.service';
import { GenerationRun } from './generation-run';
import { NO_RECORDING, RunRecorder } from './run-recorder';
import type { GraphSpec } from './step-graph';

/** Creates the run of one generation with the shared providers. */
@Injectable()
export class GenerationRunFactory {
  constructor(
    private readonly gpt: GptService,
    private readonly sd: SdPoolService,
    private readonly prompts: PromptService,
    private readonly styles: ImageStyleService,
    @Inject(generationConfig.KEY) private readonly config: ConfigType<typeof generationConfig>,
  ) {}

  create(graph: GraphSpec, recorder: RunRecorder = NO_RECORDING): GenerationRun {
    const providers = { gpt: this.gpt, sd: this.sd, prompts: this.prompts, styles: this.styles };
    return new GenerationRun(graph, providers, recorder, this.config.deadlineMs);
  }

  /** Fails start-up when a graph names a template or style the prompts folder lacks. */
  check(graph: GraphSpec, owner: string): void {
    const steps = Object.values(graph);
    this.prompts.require(steps.flatMap((step) => (step.template ? [step.template] : [])), owner);
    this.styles.require(steps.flatMap((step) => (step.style ? [step.style] : [])), owner);
  }
}
