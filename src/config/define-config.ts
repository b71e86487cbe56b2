import type { Type } from '@nestjs/common';
import { registerAs } from '@nestjs/config';
import type { Environment } from './environment';

/**
 * One namespace of the configuration: the environment variables it reads, declared once as a
 * class whose properties carry their rules (class-validator) and their defaults (initialisers),
 * and the typed object built from them. `KEY` is the injection token (`@Inject(sdConfig.KEY)`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface ConfigNamespace<V extends object = any, C = unknown> {
  (): C;
  readonly KEY: string;
  readonly namespace: string;
  readonly variables: Type<V>;
  readonly build: (variables: V, environment: Environment) => C;
  /** Rules that involve several variables; each problem is one line of the start-up message. */
  readonly check?: (variables: V) => string[];
}

export function defineConfig<V extends object, C>(
  namespace: string,
  variables: Type<V>,
  build: (variables: V, environment: Environment) => C,
  check?: (variables: V) => string[],
): ConfigNamespace<V, C> {
  // The factory is never called: AppConfigModule registers one per loaded environment under
  // the same name (and so the same KEY), built from variables validated once.
  const factory = registerAs(namespace, (): never => {
    throw new Error(`Configuration "${namespace}" is provided by AppConfigModule.forRoot(environment)`);
  });
  return Object.assign(factory, { namespace, variables, build, check }) as unknown as ConfigNamespace<V, C>;
}
