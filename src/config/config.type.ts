import type { DatabaseConfig } from './database.config';
import type { GenerationConfig } from './generation.config';
import type { GptConfig } from './gpt.config';
import type { LoggingConfig } from './logging.config';
import type { MetricsConfig } from './metrics.config';
import type { MaintenanceConfig } from './maintenance.config';
import type { PromptsConfig } from './prompts.config';
import type { RateLimitConfig } from './rate-limit.config';
import type { RedisConfig } from './redis.config';
import type { ResearchConfig } from './research.config';
import type { SdConfig } from './sd.config';
import type { ServerConfig } from './server.config';

/** The shape of the service's own configuration, for `ConfigService<AllConfig, true>`. */
export interface AllConfig {
  server: ServerConfig;
  logging: LoggingConfig;
  rateLimit: RateLimitConfig;
  database: DatabaseConfig;
  gpt: GptConfig;
  sd: SdConfig;
  redis: RedisConfig;
  generation: GenerationConfig;
  prompts: PromptsConfig;
  research: ResearchConfig;
  metrics: MetricsConfig;
  maintenance: MaintenanceConfig;
}
