import { IsInt, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';
import { defineConfig } from './define-config';
import { HTTP_URL, ToNumber } from './variables';

export class GptVariables {
  /** OpenAI's key; required unless the Azure variables are set. */
  @IsOptional() @IsString()
  OPENAI_API_KEY?: string = undefined;

  /** Unset for api.openai.com; set for a compatible server (the simulator: http://127.0.0.1:5101/v1). */
  @IsOptional() @IsUrl(HTTP_URL, { message: 'must be an http(s) URL' })
  OPENAI_BASE_URL?: string = undefined;

  /** Azure OpenAI is used when this is set; then the key and deployment are required too. */
  @IsOptional() @IsUrl(HTTP_URL, { message: 'must be an http(s) URL' })
  AZURE_OPENAI_ENDPOINT?: string = undefined;

  @IsOptional() @IsString()
  AZURE_OPENAI_API_KEY?: string = undefined;

  @IsOptional() @IsString()
  AZURE_OPENAI_DEPLOYMENT?: string = undefined;

  @IsString()
  OPENAI_API_VERSION = '2024-10-21';

  /** The chat model; unset, gpt-4o (on Azure, the deployment). */
  @IsOptional() @IsString()
  GPT_CHAT_MODEL?: string = undefined;

  /** The model that reads sketches; unset, gpt-4o (on Azure, the deployment). */
  @IsOptional() @IsString()
  GPT_VISION_MODEL?: string = undefined;

  /** Calls in flight at once; further calls wait in arrival order. */
  @ToNumber() @IsInt() @Min(1) @Max(1000)
  GPT_CONCURRENCY = 10;

  /** Longest one try of a call may take, streaming included. */
  @ToNumber() @IsInt() @Min(100) @Max(3600000)
  GPT_TIMEOUT_MS = 120000;

  /** A try that has sent no token this long after it started is given up and retried. */
  @ToNumber() @IsInt() @Min(100) @Max(3600000)
  GPT_FIRST_TOKEN_TIMEOUT_MS = 20000;

  /** A try whose answer stops streaming this long is given up and retried. */
  @ToNumber() @IsInt() @Min(100) @Max(3600000)
  GPT_IDLE_TIMEOUT_MS = 10000;

  /** Time one step may spend on its tries and their backoff; no try starts after it. */
  @ToNumber() @IsInt() @Min(100) @Max(3600000)
  GPT_STEP_BUDGET_MS = 90000;

  /** Tries of one call (429, 5xx, timeouts, stalls and connection errors are retried). */
  @ToNumber() @IsInt() @Min(1) @Max(10)
  GPT_MAX_ATTEMPTS = 4;

  /** First backoff delay, doubling with each retry; a 429's Retry-After is waited out when longer. */
  @ToNumber() @IsInt() @Min(0) @Max(60000)
  GPT_RETRY_BASE_MS = 1000;
}

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
  concurrency: number;
  timeoutMs: number;
  firstTokenTimeoutMs: number;
  idleTimeoutMs: number;
  stepBudgetMs: number;
  /** Tries of one call, the first included. */
  maxAttempts: number;
  retryBaseMs: number;
}

const AZURE = ['AZURE_OPENAI_ENDPOINT', 'AZURE_OPENAI_API_KEY', 'AZURE_OPENAI_DEPLOYMENT'] as const;

/** GPT needs either an OpenAI key or a complete Azure deployment; which one decides what is missing. */
function missingProvider(v: GptVariables): string[] {
  if (AZURE.some((name) => v[name] !== undefined)) {
    return AZURE.filter((name) => v[name] === undefined).map(
      (name) => `${name}: is required when any AZURE_OPENAI_* variable is set (Azure OpenAI)`,
    );
  }
  if (v.OPENAI_API_KEY === undefined) {
    return ['OPENAI_API_KEY: is required (or set AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and AZURE_OPENAI_DEPLOYMENT for Azure OpenAI)'];
  }
  return [];
}

export const gptConfig = defineConfig(
  'gpt',
  GptVariables,
  (v): GptConfig => {
    const azure = v.AZURE_OPENAI_ENDPOINT !== undefined;
    // On Azure a model is a deployment name.
    const defaultModel = (azure && v.AZURE_OPENAI_DEPLOYMENT) || 'gpt-4o';
    return {
      provider: azure ? 'azure' : 'openai',
      apiKey: v.OPENAI_API_KEY,
      baseURL: v.OPENAI_BASE_URL,
      azure: azure
        ? {
            endpoint: v.AZURE_OPENAI_ENDPOINT!,
            apiKey: v.AZURE_OPENAI_API_KEY!,
            deployment: v.AZURE_OPENAI_DEPLOYMENT!,
            apiVersion: v.OPENAI_API_VERSION,
          }
        : undefined,
      chatModel: v.GPT_CHAT_MODEL ?? defaultModel,
      visionModel: v.GPT_VISION_MODEL ?? defaultModel,
      concurrency: v.GPT_CONCURRENCY,
      timeoutMs: v.GPT_TIMEOUT_MS,
      firstTokenTimeoutMs: v.GPT_FIRST_TOKEN_TIMEOUT_MS,
      idleTimeoutMs: v.GPT_IDLE_TIMEOUT_MS,
      stepBudgetMs: v.GPT_STEP_BUDGET_MS,
      maxAttempts: v.GPT_MAX_ATTEMPTS,
      retryBaseMs: v.GPT_RETRY_BASE_MS,
    };
  },
  missingProvider,
);
