import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, registerAs } from '@nestjs/config';
import type { Environment } from './environment';

/** Exposes every typed namespace of one validated environment, the apps' included (see loadEnvironment). */
@Module({})
export class AppConfigModule {
  static async forRoot(environment: Environment): Promise<DynamicModule> {
    const config = await ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      skipProcessEnv: true,
      validatePredefined: false,
      load: environment.namespaces.map((namespace) => registerAs(namespace.namespace, () => environment.config(namespace) as Record<string, unknown>)),
    });
    return { module: AppConfigModule, imports: [config], exports: [config] };
  }
}
