import { appsConfig } from '../apps/paint/paint.config';
import { databaseConfig } from './database.config';
import type { ConfigNamespace } from './define-config';
import { generationConfig } from './generation.config';
import { gptConfig } from './gpt.config';
import { promptsConfig } from './prompts.config';
import { rateLimitConfig } from './rate-limit.config';
import { researchConfig } from './research.config';
import { sdConfig } from './sd.config';
import { serverConfig } from './server.config';

/** Every configuration namespace; together they are every environment variable the service reads. */
export const CONFIG_NAMESPACES: readonly ConfigNamespace[] = [
  serverConfig,
  rateLimitConfig,
  databaseConfig,
  appsConfig,
  gptConfig,
  sdConfig,
  generationConfig,
  promptsConfig,
  researchConfig,
] as readonly ConfigNamespace[];
