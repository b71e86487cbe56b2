import { Environment, loadEnvironment } from './environment';
import { CONFIG_NAMESPACES } from './namespaces';

/** The service's environment, validated once: the process environment, or `source` in tests and tools. */
export function loadServiceEnvironment(source: NodeJS.ProcessEnv = process.env): Environment {
  return loadEnvironment(source, CONFIG_NAMESPACES);
}
