import { Inject, Module, Provider } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import pino, { Logger } from 'pino';
import { loggingConfig } from '../config/logging.config';
import { logOutput } from './log-output';

/** The process's one pino logger: Nest's lines, services' lines and access lines all descend from it. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

const rootLogger: Provider = {
  provide: ROOT_LOGGER,
  inject: [loggingConfig.KEY],
  useFactory: (config: ConfigType<typeof loggingConfig>): Logger => {
    const { options, destination } = logOutput(config);
    return pino(options, destination);
  },
};

@Module({ providers: [rootLogger], exports: [rootLogger] })
export class RootLoggerModule {}

export const InjectRootLogger = () => Inject(ROOT_LOGGER);
