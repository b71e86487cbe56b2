import { Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule } from '@nestjs/config';
import { appsConfig } from './apps.config';
import { databaseConfig } from './database.config';
import { gptConfig } from './gpt.config';
import { promptsConfig } from './prompts.config';
import { researchConfig } from './research.config';
import { sdConfig } from './sd.config';
import { validateEnv } from './env.validation';
import { serverConfig } from './server.config';

/** Loads `.env`, validates every variable once, and exposes the typed namespaces. */
@Module({
  imports: [
    NestConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      validate: validateEnv,
      load: [serverConfig, databaseConfig, appsConfig, gptConfig, sdConfig, promptsConfig, researchConfig],
    }),
  ],
})
export class AppConfigModule {}
