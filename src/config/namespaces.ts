import { databaseConfig } from './database.config';
import type { ConfigNamespace } from './define-config';
import { generationConfig } from './generation.config';
import { gptConfig } from './gpt.config';
import { loggingConfig } from './logging.config';
import { metricsConfig } from './metrics.config';
import { maintenanceConfig } from './maintenance.config';
import { promptsConfig } from './prompts.config';
import { rateLimitConfig } from './rate-limit.config';
import { redisConfig } from './redis.config';
import { researchConfig } from './research.config';
import { sdConfig } from './sd.config';
import { serverConfig } from './server.config';

/** The service's own configuration namespaces; each app brings its own (see src/app.environment.ts). */
export const CONFIG_NAMESPACES: readonly ConfigNamespace[] = [
  serverConfig,
  loggingConfig,
  rateLimitConfig,
  databaseConfig,
  gptConfig,
  sdConfig,
  redisConfig,
  generationConfig,
  promptsConfig,
  researchConfig,
  metricsConfig,
  maintenanceConfig,
] as readonly ConfigNamespace[];
