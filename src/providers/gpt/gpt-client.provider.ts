import { ConfigType } from '@nestjs/config';
import OpenAI, { AzureOpenAI } from 'openai';
import { gptConfig } from '../../config/gpt.config';

/** DI token of the `openai` client; tests and the demo point it at a simulator through configuration. */
export const OPENAI_CLIENT = Symbol('OPENAI_CLIENT');

export const openAiClientProvider = {
  provide: OPENAI_CLIENT,
  inject: [gptConfig.KEY],
  useFactory: (config: ConfigType<typeof gptConfig>): OpenAI => {
    // Retries are ours (GptService), so each try is counted and recorded. The package's timeout
    // only covers the wait for response headers; GptService watches the stream itself. Every
    // setting comes from our configuration: null keeps the package from reading OPENAI_BASE_URL.
    const common = { maxRetries: 0, timeout: config.timeoutMs };
    if (config.provider === 'azure' && config.azure) {
      return new AzureOpenAI({
        ...common,
        endpoint: config.azure.endpoint,
        apiKey: config.azure.apiKey,
        // No fixed deployment: each call's model names its deployment, so chat and vision may differ.
        apiVersion: config.azure.apiVersion,
        baseURL: null,
      });
    }
    return new OpenAI({ ...common, apiKey: config.apiKey, baseURL: config.baseURL ?? null });
  },
};
