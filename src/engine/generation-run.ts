import { Logger } from '@nestjs/common';
import { setMaxListeners } from 'node:events';
import { AttemptFailure, CancelledError, GenerationCancelledError, Provider, ProviderError } from '../common/errors';
import type { GptAnswer, GptService, TokenUsage } from '../providers/gpt/gpt.service';
import type { SdPoolService } from '../providers/sd/sd-pool.service';
import type { ImageStyleService } from '../prompts/image-style.service';
import type { PromptService } from '../prompts/prompt.service';
import { normalizeAnswer, splitItems } from './list-parser';
import type { ImageOutcome, MadeImage } from './made-image';
import type { RunRecorder, RunStatus } from './run-recorder';
import type { RunEvent, RunObserver } from './run-events';
import type { GraphSpec, ListStepInput, SdStepInput, StepResult, StepSpec, TextStepInput } from './step-graph';
import type { StepTrace } from './step-trace.dto';

/** What a run made and spent, for its summary line and the metrics. */
export interface RunTally {
  imagesMade: number;
  /** Images left out of the answer: failed, or cut by the deadline. */
  imagesFailed: number;
  tokens: TokenUsage;
}

export interface RunProviders {
  gpt: GptService;
  sd: SdPoolService;
  prompts: PromptService;
  styles: ImageStyleService;
}

type GptSpec = Extract<StepSpec, { template: string }>;
type SdSpec = Extract<StepSpec, { kind: 'sd' }>;

/** Tries of a list step whose answer has too few items (docs/pipelines.md: ask once more). */
const LIST_TRIES = 2;

/**
 * One generation: the steps of a graph, each a GPT call or a batch of images, reported to a
 * recorder as they happen. A step is named by its graph key and asked what its handler
 * returned; this class turns that into provider calls. A generation has a deadline: then it
 * gives up what is still running and answers with what was made. The caller's signal gives
 * the whole generation up.
 */
export class GenerationRun {
  private readonly logger = new Logger(GenerationRun.name);
  private imagesMissing = false;
  /** Aborted when the generation fails, its deadline passes or its caller gives it up: steps still running or queued are given up. */
  private readonly cancel = new AbortController();
  /** Set before `cancel` aborts for the deadline, so cancelled images count as missing rather than unneeded. */
  private deadlinePassed = false;
  /** Set before `cancel` aborts for the caller: whatever the steps answer then, nobody waits for it. */
  private cancelledByCaller?: GenerationCancelledError;
  /** The image steps that have asked for their images. */
  private readonly imageStepsAsked = new Set<string>();
  readonly tally: RunTally = { imagesMade: 0, imagesFailed: 0, tokens: { prompt: 0, completion: 0, total: 0 } };
  /** How the run ended, once it has. */
  status?: RunStatus;

  constructor(
    private readonly graph: GraphSpec,
    private readonly providers: RunProviders,
    private readonly recorder: RunRecorder,
    private readonly deadlineMs: number,
    private readonly callerSignal?: AbortSignal,
    private readonly observer?: RunObserver,
  ) {
    // Every GPT call and image of the run listens on this one signal. The listeners end with
    // the run, so a large run is not a leak, and Node's default warning at 10 would be noise.
    setMaxListeners(0, this.cancel.signal);
  }

  /**
   * Runs the generation's body within the deadline and reports how it ended: partly
   * succeeded when an image was left out (the deadline's included), failed when the body
   * threw, cancelled when the caller gave the generation up.
   */
  async execute<T>(body: () => Promise<T>): Promise<T> {
    const onCallerAbort = () => {
      this.cancelledByCaller = new GenerationCancelledError(reasonOf(this.callerSignal!.reason));
      this.cancel.abort();
    };
    if (this.callerSignal?.aborted) onCallerAbort();
    else this.callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    const deadline = setTimeout(() => {
      this.deadlinePassed = true;
      this.cancel.abort();
    }, this.deadlineMs);
    let result: T;
    try {
      if (this.cancelledByCaller) throw this.cancelledByCaller;
      const at = new Date();
      this.recorder.started(at);
      this.notify({ type: 'started', at });
      result = await body();
      if (this.cancelledByCaller) throw this.cancelledByCaller;
    } catch (error) {
      this.cancel.abort();
      const failure = this.cancelledByCaller ?? (error as Error);
      this.status = this.cancelledByCaller ? 'cancelled' : 'failed';
      await this.recorder.finished(this.status, failure);
      throw failure;
    } finally {
      clearTimeout(deadline);
      this.callerSignal?.removeEventListener('abort', onCallerAbort);
    }
    this.status = this.imagesMissing ? 'partly-succeeded' : 'succeeded';
    await this.recorder.finished(this.status, undefined, result);
    return result;
  }

  /** Runs step `name` of the graph with what its handler asked. */
  step(name: string, input: unknown): Promise<StepResult> {
    const spec = this.graph[name];
    if (spec.kind === 'sd') return this.images(name, spec, (input as SdStepInput).prompts);
    return spec.answer === 'text' ? this.text(name, spec, input as TextStepInput) : this.list(name, spec, input as ListStepInput);
  }

  /**
   * A GPT step that answers a list of exactly `count` items; extra items are dropped. With
   * `within`, only items from that list count (a choice among given names), each once.
   */
  private list(name: string, spec: GptSpec, { vars, count, images, within }: ListStepInput): Promise<string[]> {
    return this.gptStep(name, spec, { ...vars, count }, images, (answer, trace) => {
      let items = splitItems(answer.text);
      if (within) items = [...new Set(items.filter((item) => within.includes(item)))];
      if (items.length >= count) return items.slice(0, count);
      trace.attempts.push({
        attempt: trace.attempts.length + 1,
        reason: `answered ${items.length} of ${count} ${within ? 'items from the given list' : 'items'}`,
        at: new Date().toISOString(),
      });
      return undefined;
    });
  }

  /** A GPT step that answers one piece of text. */
  private text(name: string, spec: GptSpec, { vars, images }: TextStepInput): Promise<string> {
    return this.gptStep(name, spec, vars, images, (answer) => {
      const text = normalizeAnswer(answer.text);
      return text ? [text] : undefined;
    }).then((items) => items[0]);
  }

  /**
   * Makes one image per prompt, all at once (the pool queues what it cannot start yet).
   * An image that fails is reported in its slot rather than failing the others.
   */
  private images(name: string, spec: SdSpec, prompts: readonly string[]): Promise<ImageOutcome[]> {
    const trace = this.startTrace(name);
    trace.items = [...prompts];
    this.imageStepsAsked.add(name);
    // Another image step yet to ask: the pool waits a moment for its images, to start both steps' slot by slot.
    const moreComing = Object.entries(this.graph).some(([other, step]) => step.kind === 'sd' && !this.imageStepsAsked.has(other));
    return Promise.all(
      prompts.map(async (prompt, index): Promise<ImageOutcome> => {
        try {
          const request = this.providers.styles.request(spec.style, prompt);
          // Slot `index` of every image step makes creative `index`: the pool starts a run's images slot by slot.
          const image: MadeImage = await this.providers.sd.txt2img(request, `${name}[${index}]`, this.cancel.signal, { slot: index, moreComing });
          image.imageId = await this.recorder.imageMade({ step: name, index, image });
          this.notify({ type: 'image', step: name, index, image });
          this.tally.imagesMade += 1;
          return { ok: true, image };
        } catch (error) {
          const cutByDeadline = error instanceof CancelledError && this.deadlinePassed;
          // Given up because the generation failed or was cancelled: nobody will see it, so it is not "missing".
          if (error instanceof CancelledError && !cutByDeadline) return { ok: false, error };
          const reason = cutByDeadline ? `not made within the ${this.deadlineMs} ms generation deadline` : (error as Error).message;
          trace.attempts.push({ attempt: trace.attempts.length + 1, reason: `image ${index}: ${reason}`, at: new Date().toISOString() });
          this.logger.warn(`Image ${index} of step "${name}" not made: ${reason}`);
          this.imagesMissing = true;
          this.tally.imagesFailed += 1;
          return { ok: false, error: cutByDeadline ? this.pastDeadline('Image', name, 'sd') : (error as Error) };
        }
      }),
    ).then((outcomes) => {
      const made = outcomes.filter((outcome) => outcome.ok).length;
      const none = this.deadlinePassed ? this.pastDeadline('Image', name, 'sd').message : 'no image could be made';
      this.endTrace(trace, made > 0 ? 'succeeded' : 'failed', made === 0 ? none : undefined);
      return outcomes;
    });
  }

  /** Renders the step's template, asks GPT, and asks once more when `accept` refuses the answer. */
  private async gptStep(
    name: string,
    spec: GptSpec,
    vars: object,
    images: readonly string[] | undefined,
    accept: (answer: GptAnswer, trace: StepTrace) => string[] | undefined,
  ): Promise<string[]> {
    const trace = this.startTrace(name);
    try {
      const rendered = this.providers.prompts.render(spec.template, vars);
      Object.assign(trace, { template: rendered.template, templateHash: rendered.hash, prompt: rendered.text });
      this.recorder.stepChanged(trace);
      const call = {
        step: name,
        signal: this.cancel.signal,
        onFailedTry: (failure: AttemptFailure) => {
          trace.attempts.push(failure);
          this.recorder.stepChanged(trace);
        },
      };
      for (let tries = 1; tries <= LIST_TRIES; tries++) {
        const answer =
          spec.kind === 'vision' && images?.length
            ? await this.providers.gpt.vision(rendered.text, [...images], call)
            : await this.providers.gpt.chat(rendered.text, call);
        trace.model = answer.model;
        trace.rawOutput = answer.text;
        trace.tokens = addTokens(trace.tokens, answer.usage);
        this.tally.tokens = addTokens(this.tally.tokens, answer.usage);
        const items = accept(answer, trace);
        if (items) {
          trace.items = items;
          this.endTrace(trace, 'succeeded');
          return items;
        }
      }
      throw new ProviderError(
        `GPT step "${name}" gave no usable answer after ${LIST_TRIES} tries (${trace.attempts.at(-1)?.reason}).`,
        'gpt',
        502,
        { step: name, model: trace.model, attempts: trace.attempts },
      );
    } catch (error) {
      const failure =
        error instanceof CancelledError && this.deadlinePassed
          ? this.pastDeadline('GPT', name, 'gpt', { model: trace.model, attempts: trace.attempts })
          : (error as Error);
      this.endTrace(trace, 'failed', failure.message);
      throw failure;
    }
  }

  /** A step the answer needs that the deadline cut off: the generation's failure names it. */
  private pastDeadline(kind: 'GPT' | 'Image', step: string, provider: Provider, details: ProviderError['details'] = {}): ProviderError {
    return new ProviderError(`${kind} step "${step}" did not finish within the ${this.deadlineMs} ms generation deadline`, provider, 504, {
      step,
      ...details,
    });
  }

  private startTrace(name: string): StepTrace {
    const spec = this.graph[name];
    const trace: StepTrace = { name, kind: spec.kind, deps: [...spec.deps], attempts: [], startedAt: new Date(), status: 'running' };
    this.recorder.stepChanged(trace);
    this.notify({ type: 'step', name, kind: spec.kind, status: 'started', at: trace.startedAt });
    return trace;
  }

  private endTrace(trace: StepTrace, status: 'succeeded' | 'failed', error?: string): void {
    trace.status = status;
    trace.endedAt = new Date();
    if (error) trace.error = error;
    this.recorder.stepChanged(trace);
    this.notify({ type: 'step', name: trace.name, kind: trace.kind, status, at: trace.endedAt });
  }

  /** Tells the observer; whatever goes wrong there is logged, never thrown into the run. */
  notify(event: RunEvent): void {
    if (!this.observer) return;
    try {
      this.observer(event);
    } catch (error) {
      this.logger.error(`Observer of a ${event.type} event failed: ${(error as Error).message}`);
    }
  }
}

/** What the caller gave as the reason of its abort, in words. */
function reasonOf(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason ?? 'no reason given');
}

function addTokens(sum: StepTrace['tokens'], usage: GptAnswer['usage']): NonNullable<StepTrace['tokens']> {
  return {
    prompt: (sum?.prompt ?? 0) + usage.prompt,
    completion: (sum?.completion ?? 0) + usage.completion,
    total: (sum?.total ?? 0) + usage.total,
  };
}
