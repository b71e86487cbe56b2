import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { generationConfig } from '../config/generation.config';
import { GptService } from '../providers/gpt/gpt.service';
import { SdPoolService } from '../providers/sd/sd-pool.service';
import { ImageStyleService } from '../prompts/image-style.service';
import { PromptService } from '../prompts/prompt.service';
import type { GenerationApp } from './generation-app';
import type { GenerationPipeline } from './generation-pipeline';
import { GenerationRun, RunProviders } from './generation-run';
import { CreativeTracker } from './creatives';
import type { RunRecorder } from './run-recorder';
import type { RunObserver } from './run-events';
import { executeGraph, GraphSpec, StepInputs, StepResults } from './step-graph';

export interface RunOptions {
  /** The participant, for the log. */
  username?: string;
  /** Where the run reports its steps, images and end. */
  recorder: RunRecorder;
  /** Aborting it gives the generation up: its steps stop and it fails as cancelled. */
  signal?: AbortSignal;
  /** Told of each step, image and creative as the run makes them. */
  observer?: RunObserver;
}

/**
 * Runs every generation: creates the run (deadline, cancellation, the record's progress),
 * asks each step's handler as soon as the step's dependencies are done, runs the step it
 * describes, builds the answer with the pipeline, and records how the run ended. A pipeline
 * only declares; nothing else creates runs.
 */
@Injectable()
export class GenerationEngine {
  private readonly logger = new Logger('Generation');
  private readonly providers: RunProviders;

  constructor(
    gpt: GptService,
    sd: SdPoolService,
    prompts: PromptService,
    styles: ImageStyleService,
    @Inject(generationConfig.KEY) private readonly config: ConfigType<typeof generationConfig>,
  ) {
    this.providers = { gpt, sd, prompts, styles };
  }

  async run<G extends GraphSpec, I extends object, O>(
    app: GenerationApp,
    pipeline: GenerationPipeline<G, I, O>,
    input: I,
    { username, recorder, signal, observer }: RunOptions,
  ): Promise<O> {
    let tracker: CreativeTracker<I> | undefined;
    const run = new GenerationRun(pipeline.graph, this.providers, recorder, this.config.deadlineMs, signal, (event) => {
      observer?.(event);
      if (event.type === 'image') tracker?.imageMade(event.step, event.index, event.image);
    });
    if (observer && pipeline.creatives) {
      tracker = new CreativeTracker(pipeline.creatives, input, (index, creative) => run.notify({ type: 'creative', index, creative }));
    }
    const what = `${app.name} type ${pipeline.type} (${pipeline.name})${username ? ` for ${username}` : ''}`;
    const started = Date.now();
    try {
      const output = await run.execute(async () => {
        // Typed per graph where a pipeline declares them (step-graph); run here by step name.
        const handlers = pipeline.steps(input) as StepInputs<GraphSpec>;
        const results = await executeGraph(pipeline.graph, async (step, done) => {
          const result = await run.step(step, await handlers[step](done as StepResults<GraphSpec>));
          tracker?.stepDone(step, result);
          return result;
        });
        return pipeline.result(results as StepResults<G>, input);
      });
      this.logger.log(`${what} answered in ${Date.now() - started} ms`);
      return output;
    } catch (error) {
      this.logger.log(`${what} failed after ${Date.now() - started} ms: ${(error as Error).message}`);
      throw error;
    }
  }
}
