import { registerAs } from '@nestjs/config';
import { env } from './env';

export interface AzureSettings {
  endpoint: string;
  apiKey: string;
  deployment: string;
  apiVersion: string;
}

export interface GptConfig {
  /** Azure when its endpoint is set; OpenAI (or any compatible server at `baseURL`) otherwise. */
  provider: 'openai' | 'azure';
  apiKey?: string;
  baseURL?: string;
  azure?: AzureSettings;
  chatModel: string;
  visionModel: string;
  /** Calls in flight at once; the rest wait in arrival order. */
  concurrency: number;
  timeoutMs: number;
  /** Tries of one call, the first included. */
  maxAttempts: number;
  retryBaseMs: number;
}

export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

export const gptConfig = registerAs('gpt', (): GptConfig => {
  const endpoint = env('AZURE_OPENAI_ENDPOINT');
  // On Azure a model is a deployment name; both default to AZURE_OPENAI_DEPLOYMENT.
  const defaultModel = (endpoint && env('AZURE_OPENAI_DEPLOYMENT')) || 'gpt-4o';
  return {
    provider: endpoint ? 'azure' : 'openai',
    apiKey: env('OPENAI_API_KEY'),
    baseURL: env('OPENAI_BASE_URL'),
    azure: endpoint
      ? {
          endpoint,
          apiKey: env('AZURE_OPENAI_API_KEY') ?? '',
          deployment: env('AZURE_OPENAI_DEPLOYMENT') ?? '',
          apiVersion: env('OPENAI_API_VERSION') ?? DEFAULT_AZURE_API_VERSION,
        }
      : undefined,
    chatModel: env('GPT_CHAT_MODEL') ?? defaultModel,
    visionModel: env('GPT_VISION_MODEL') ?? defaultModel,
    concurrency: Number(env('GPT_CONCURRENCY') ?? 10),
    timeoutMs: Number(env('GPT_TIMEOUT_MS') ?? 120000),
    maxAttempts: Number(env('GPT_MAX_ATTEMPTS') ?? 4),
    retryBaseMs: Number(env('GPT_RETRY_BASE_MS') ?? 1000),
  };
});
