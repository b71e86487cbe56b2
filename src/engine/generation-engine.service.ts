import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { generationConfig } from '../config/generation.config';
import { GenerationMetrics, GenerationSummary } from '../metrics/generation.metrics';
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
    private readonly metrics: GenerationMetrics,
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
    let failure: Error | undefined;
    const run = new GenerationRun(pipeline.graph, this.providers, recorder, this.config.deadlineMs, signal, (event) => {
      observer?.(event);
      if (event.type === 'image') tracker?.imageMade(event.step, event.index, event.image);
    });
    if (observer && pipeline.creatives) {
      tracker = new CreativeTracker(pipeline.creatives, input, (index, creative) => run.notify({ type: 'creative', index, creative }));
    }
    const ended = this.metrics.started(app.name, pipeline.type);
    const started = Date.now();
    try {
      return await run.execute(async () => {
        // Typed per graph where a pipeline declares them (step-graph); run here by step name.
        const handlers = pipeline.steps(input) as StepInputs<GraphSpec>;
        const results = await executeGraph(pipeline.graph, async (step, done) => {
          const result = await run.step(step, await handlers[step](done as StepResults<GraphSpec>));
          tracker?.stepDone(step, result);
          return result;
        });
        return pipeline.result(results as StepResults<G>, input);
      });
    } catch (error) {
      failure = error as Error;
      throw error;
    } finally {
      const summary: GenerationSummary = {
        app: app.name,
        appId: app.id,
        type: pipeline.type,
        pipeline: pipeline.name,
        status: run.status ?? 'failed',
        durationMs: Date.now() - started,
        ...run.tally,
      };
      ended(summary);
      this.logSummary(summary, username, failure);
    }
  }

  /** One line per generation, with its figures as fields for whoever reads the logs as data. */
  private logSummary(summary: GenerationSummary, username: string | undefined, failure: Error | undefined): void {
    const { app, type, pipeline, status, durationMs, imagesMade, imagesFailed, tokens } = summary;
    const images = imagesMade + imagesFailed ? `, ${imagesMade} image(s) made, ${imagesFailed} failed` : '';
    const why = failure && status !== 'cancelled' ? `: ${failure.message}` : '';
    const msg = `${app} type ${type} (${pipeline})${username ? ` for ${username}` : ''} ${status} in ${durationMs} ms${images}, ${tokens.total} GPT tokens${why}`;
    const line = { msg, generation: summary, ...(username ? { username } : {}) };
    if (status === 'failed') this.logger.warn(line);
    else this.logger.log(line);
  }
}
