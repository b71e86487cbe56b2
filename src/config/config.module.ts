import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, registerAs } from '@nestjs/config';
import type { Environment } from './environment';
import { CONFIG_NAMESPACES } from './namespaces';

/** Exposes the typed namespaces of one validated environment (see loadEnvironment). */
@Module({})
export class AppConfigModule {
  static async forRoot(environment: Environment): Promise<DynamicModule> {
    const config = await ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      skipProcessEnv: true,
      validatePredefined: false,
      load: CONFIG_NAMESPACES.map((namespace) => registerAs(namespace.namespace, () => environment.config(namespace) as Record<string, unknown>)),
    });
    return { module: AppConfigModule, imports: [config], exports: [config] };
  }
}
