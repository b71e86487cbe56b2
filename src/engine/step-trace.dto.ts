import { ApiProperty } from '@nestjs/swagger';

/**
 * One step of a generation: what the run reports as the step goes, and what the experiment
 * record keeps of it (with its duration, see StepRecordDto).
 */
export class StepTrace {
  /** @example "products" */
  name: string;
  @ApiProperty({ enum: ['gpt', 'vision', 'sd'], example: 'gpt' })
  kind: 'gpt' | 'vision' | 'sd';
  /** @example [] */
  deps: string[];
  /** @example "paint/products" */
  template?: string;
  /** @example "3f2a9c0d41b7e6a5" */
  templateHash?: string;
  /** The rendered prompt of a GPT step. */
  prompt?: string;
  /** @example "gpt-4o" */
  model?: string;
  /** @example "跑步机#运动手环#护膝" */
  rawOutput?: string;
  /**
   * A GPT step's items, or an image step's prompts.
   * @example ["跑步机", "运动手环", "护膝"]
   */
  items?: string[];
  tokens?: { prompt: number; completion: number; total: number };
  /** Each failed try with its reason. */
  attempts: { attempt: number; reason: string; at: string }[];
  startedAt: Date;
  endedAt?: Date;
  @ApiProperty({ enum: ['running', 'succeeded', 'failed'], example: 'succeeded' })
  status: 'running' | 'succeeded' | 'failed';
  error?: string;
}
