import type { Type } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { RunRecorder } from './run-recorder';
import type { GraphSpec } from './step-graph';

/** What a pipeline run knows beyond its inputs. */
export interface GenerationContext {
  appId: number;
  type: number;
  /** The participant, when the caller names one. */
  username?: string;
  /** Where the run reports its steps and images. */
  recorder?: RunRecorder;
}

/** One stimulus type of an app: the DTO its `prompts` must satisfy, and how to run it. */
export interface Pipeline<Input extends object = object, Output = unknown> {
  readonly type: number;
  /** A short name for logs and records, e.g. "rapid-divergence". */
  readonly name: string;
  readonly input: Type<Input>;
  /** The steps and their dependencies, for the benchmark's lower bound and the record. */
  readonly graph: GraphSpec;
  run(input: Input, context: GenerationContext): Promise<Output>;
}

/** An app served by `/generate`. Its id comes from the typed `apps` configuration. */
export interface GenerationApp {
  readonly id: number;
  readonly name: string;
  readonly pipelines: readonly Pipeline[];
}

/**
 * Marks a provider as a generation app. The registry finds every marked provider at start,
 * so adding an app is adding a module, not editing a dispatch table.
 */
export const RegisterGenerationApp = DiscoveryService.createDecorator<void>();
