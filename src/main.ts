import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { existsSync } from 'node:fs';
import { createApp } from './app.setup';
import type { AllConfig } from './config/config.type';
import { databaseConfig } from './config/database.config';
import { ConfigurationError, Environment } from './config/environment';
import { loadServiceEnvironment } from './app.environment';
import { explainStartFailure, probeDatabase } from './start-failure';

async function bootstrap(): Promise<void> {
  const logger = new Logger('Bootstrap');
  let environment: Environment | undefined;
  try {
    if (existsSync('.env')) process.loadEnvFile('.env');
    // Validated here, once, before Nest starts, so a bad value is reported without a stack trace.
    environment = loadServiceEnvironment();
    // Reaching the database first turns "it is not running" into one clear line instead of Nest's stack traces.
    await probeDatabase(environment.config(databaseConfig));
    const app = await createApp(environment);
    const { port, host } = app.get<ConfigService<AllConfig, true>>(ConfigService).get('server', { infer: true });
    await app.listen(port, host);
    const shown = host === '0.0.0.0' ? '127.0.0.1' : host;
    logger.log(`InsPilot API on http://${shown}:${port} (docs at http://${shown}:${port}/docs)`);
  } catch (error) {
    // Nest keeps its start-up lines back (createApp's bufferLogs) until it listens; a start that
    // failed on the way (an init hook, such as Redis not answering) must still show them and this.
    Logger.flush();
    // A start-up failure is the operator's to fix: say what and how, without a stack trace.
    const message = explainStartFailure(error, environment?.config(databaseConfig));
    if (error instanceof ConfigurationError) console.error(message);
    else logger.error(message);
    process.exit(1);
  }
}

void bootstrap();
