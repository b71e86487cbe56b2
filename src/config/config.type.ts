import type { AppsConfig } from './apps.config';
import type { DatabaseConfig } from './database.config';
import type { GptConfig } from './gpt.config';
import type { PromptsConfig } from './prompts.config';
import type { ResearchConfig } from './research.config';
import type { SdConfig } from './sd.config';
import type { ServerConfig } from './server.config';

/** The shape of the whole configuration, for `ConfigService<AllConfig, true>`. */
export interface AllConfig {
  server: ServerConfig;
  database: DatabaseConfig;
  apps: AppsConfig;
  gpt: GptConfig;
  sd: SdConfig;
  prompts: PromptsConfig;
  research: ResearchConfig;
}
