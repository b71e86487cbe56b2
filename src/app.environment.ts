import { AppModule } from './app.module';
import type { ConfigNamespace } from './config/define-config';
import { Environment, loadEnvironment } from './config/environment';
import { CONFIG_NAMESPACES } from './config/namespaces';
import { appConfigNamespaces } from './engine/generation-app';

/** Every configuration namespace: the service's, then those of the apps AppModule registers. */
export const SERVICE_NAMESPACES: readonly ConfigNamespace[] = [...CONFIG_NAMESPACES, ...appConfigNamespaces(AppModule)];

/** The service's environment, validated once: the process environment, or `source` in tests and tools. */
export function loadServiceEnvironment(source: NodeJS.ProcessEnv = process.env): Environment {
  return loadEnvironment(source, SERVICE_NAMESPACES);
}
