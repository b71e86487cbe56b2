import { registerAs } from '@nestjs/config';
import { env } from './env';

export interface ResearchConfig {
  /** Key researchers send as `X-API-Key`; without one the research routes are refused. */
  apiKey?: string;
  /** Experiment images older than this many days are deleted (records kept); 0 keeps them forever. */
  imageRetentionDays: number;
  /** How long a finished generation waits for its record to be written before answering anyway. */
  flushTimeoutMs: number;
}

export const researchConfig = registerAs(
  'research',
  (): ResearchConfig => ({
    apiKey: env('RESEARCH_API_KEY'),
    imageRetentionDays: Number(env('EXPERIMENT_IMAGE_RETENTION_DAYS') ?? 0),
    flushTimeoutMs: Number(env('RECORD_FLUSH_TIMEOUT_MS') ?? 10000),
  }),
);
