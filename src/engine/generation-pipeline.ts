import type { Type } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { CreativeParts, GraphSpec, StepInputs, StepResults } from './step-graph';

/**
 * The creatives a pipeline answers, one builder for the live events and the final answer: so a
 * creative sent while the run goes on is the very object the answer will hold in its slot.
 */
export interface PipelineCreatives<G extends GraphSpec, I, C = unknown> {
  /** The creatives a run of `input` plans: slots 0 to count - 1. */
  count(input: I): number;
  /**
   * Creative `index` once every part it needs is in `parts`; undefined while one is missing
   * and when one of its images could not be made. Called again as parts arrive, so it must
   * only read `parts`, never keep state.
   */
  build(index: number, parts: CreativeParts<G>, input: I): C | undefined;
}

/**
 * One stimulus type of an app, declared: its graph of steps, what each step is asked, and
 * how the answer is built from the steps' results. The engine runs it (deadline,
 * cancellation, record); a pipeline never creates or finishes a run itself.
 */
export abstract class GenerationPipeline<G extends GraphSpec, I extends object, O> {
  /** The `type` of /generate. */
  abstract readonly type: number;
  /** Kebab-case, for logs and records, e.g. "rapid-divergence". */
  abstract readonly name: string;
  /** One line, for docs. */
  abstract readonly summary: string;
  /** The class-validator DTO that `prompts` must satisfy. */
  abstract readonly input: Type<I>;
  /** The DTO of `data` (documentation; not validated at run time). */
  abstract readonly output: Type<O>;
  /**
   * The `prompts` of this type's runnable example in the API docs. Without one, the example
   * is built from the `@example` comments of the input DTO's properties.
   */
  readonly example?: I;
  abstract readonly graph: G;
  abstract steps(input: I): StepInputs<G>;
  /** Builds the answer from the steps' results; may throw a ProviderError (e.g. no image could be made). */
  abstract result(results: StepResults<G>, input: I): O;
  /**
   * The creatives of the answer, when it has any: the engine reports each one the moment its
   * parts exist, and `result()` builds its creatives with the same `build` (see finalCreatives).
   */
  readonly creatives?: PipelineCreatives<G, I>;
}

/**
 * A pipeline of any graph, input and output, as the registry and dispatch hold them. `any`:
 * step handlers take their own graph's results, so no single graph type covers every pipeline.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPipeline = GenerationPipeline<any, object, unknown>;

/**
 * Marks a provider as a pipeline. The registry gives it to the app provided by the same
 * module, so adding a pipeline is adding a provider to its app's module.
 */
export const RegisterPipeline = DiscoveryService.createDecorator<void>();
