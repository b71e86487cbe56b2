import { IsInt, Max, Min } from 'class-validator';
import { defineConfig } from './define-config';
import { ToNumber } from './variables';

export class GenerationVariables {
  /**
   * The longest one generation may run: then it answers with what was made, or fails naming
   * the step it was waiting for.
   */
  @ToNumber() @IsInt() @Min(1000) @Max(3600000)
  GENERATION_DEADLINE_MS = 120000;
}

export interface GenerationConfig {
  deadlineMs: number;
}

export const generationConfig = defineConfig(
  'generation',
  GenerationVariables,
  (v): GenerationConfig => ({ deadlineMs: v.GENERATION_DEADLINE_MS }),
);
