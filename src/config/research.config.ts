import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { defineConfig } from './define-config';
import { ToNumber } from './variables';

export class ResearchVariables {
  /** Key for the research routes, sent as header X-API-Key (16+ characters); unset, those routes are refused. */
  @IsOptional()
  @Matches(/^\S{16,}$/, { message: 'must be at least 16 characters without spaces' })
  RESEARCH_API_KEY?: string = undefined;

  /** Experiment images older than this many days are deleted (records are kept); 0 keeps them. */
  @ToNumber() @IsInt() @Min(0) @Max(36500)
  EXPERIMENT_IMAGE_RETENTION_DAYS = 0;

  /** Generations answer before their record is complete; a research read (and shutdown) waits at most this long for it. */
  @ToNumber() @IsInt() @Min(0) @Max(600000)
  RECORD_FLUSH_TIMEOUT_MS = 10000;
}

export interface ResearchConfig {
  apiKey?: string;
  imageRetentionDays: number;
  flushTimeoutMs: number;
}

export const researchConfig = defineConfig(
  'research',
  ResearchVariables,
  (v): ResearchConfig => ({
    apiKey: v.RESEARCH_API_KEY,
    imageRetentionDays: v.EXPERIMENT_IMAGE_RETENTION_DAYS,
    flushTimeoutMs: v.RECORD_FLUSH_TIMEOUT_MS,
  }),
);
