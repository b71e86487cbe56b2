import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import { defineConfig } from './define-config';
import { ToBoolean, ToNumber } from './variables';

export class GenerationVariables {
  /**
   * The longest one generation may run: then it answers with what was made, or fails naming
   * the step it was waiting for.
   */
  @ToNumber() @IsInt() @Min(1000) @Max(3600000)
  GENERATION_DEADLINE_MS = 120000;

  /**
   * An identical request (same app, type, inputs and participant) arriving while such a run is
   * in flight joins that run instead of starting another.
   */
  @ToBoolean() @IsBoolean({ message: 'must be true or false' })
  GENERATE_DEDUPE = true;

  /**
   * How long a finished job's events stay in memory for late subscribers; after that its
   * stream is replayed from its record.
   */
  @ToNumber() @IsInt() @Min(0) @Max(86400000)
  JOB_EVENTS_RETENTION_MS = 60000;
}

export interface GenerationConfig {
  deadlineMs: number;
  dedupe: boolean;
  eventsRetentionMs: number;
}

export const generationConfig = defineConfig(
  'generation',
  GenerationVariables,
  (v): GenerationConfig => ({ deadlineMs: v.GENERATION_DEADLINE_MS, dedupe: v.GENERATE_DEDUPE, eventsRetentionMs: v.JOB_EVENTS_RETENTION_MS }),
);
