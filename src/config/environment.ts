import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import type { ConfigNamespace } from './define-config';

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.join('\n')}\nSee .env.example for every variable and its default.`);
    this.name = 'ConfigurationError';
  }
}

/**
 * The validated environment of one running service: every namespace's variables, read once.
 * The config namespaces are built from it, never from `process.env`.
 */
export class Environment {
  private readonly built = new Map<string, unknown>();

  constructor(
    /** The namespaces it was validated for: the service's and every app's. */
    readonly namespaces: readonly ConfigNamespace[],
    private readonly values: ReadonlyMap<string, object>,
  ) {}

  variables<V extends object>(namespace: ConfigNamespace<V, unknown>): V {
    const values = this.values.get(namespace.namespace);
    if (!values) throw new Error(`Configuration "${namespace.namespace}" was not loaded`);
    return values as V;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  config<C>(namespace: ConfigNamespace<any, C>): C {
    if (!this.built.has(namespace.namespace)) this.built.set(namespace.namespace, namespace.build(this.variables(namespace), this));
    return this.built.get(namespace.namespace) as C;
  }
}

function describe(errors: ValidationError[], raw: Record<string, string>): string[] {
  return errors.map((error) => {
    const value = raw[error.property];
    const got = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
    const rules = Object.values(error.constraints ?? {}).join('; ');
    return `  - ${error.property}: ${rules}${got}`;
  });
}

/**
 * Validates every namespace's variables at once and throws one error listing every offender,
 * so an operator fixes them in one pass rather than one per restart.
 */
export function loadEnvironment(source: NodeJS.ProcessEnv, namespaces: readonly ConfigNamespace[]): Environment {
  // `FOO=` in a .env file means "not set", not "set to nothing".
  const present: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) if (value !== undefined && value.trim() !== '') present[key] = value.trim();
  const values = new Map<string, object>();
  const problems: string[] = [];
  for (const namespace of namespaces) {
    // Two namespaces of one name (an app named like a core namespace) would share one injection token.
    if (values.has(namespace.namespace)) throw new Error(`Configuration namespace "${namespace.namespace}" is declared twice; rename one.`);
    const variables = plainToInstance(namespace.variables, present, { exposeDefaultValues: true, excludeExtraneousValues: false });
    // Keep only the namespace's own variables: the rest of the process environment is not configuration.
    const own = Object.keys(new namespace.variables());
    for (const key of Object.keys(variables)) if (!own.includes(key)) delete (variables as Record<string, unknown>)[key];
    const errors = validateSync(variables, { stopAtFirstError: true, forbidUnknownValues: false });
    problems.push(...describe(errors, present));
    if (errors.length === 0) problems.push(...(namespace.check?.(variables) ?? []).map((problem) => `  - ${problem}`));
    values.set(namespace.namespace, variables);
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return new Environment(namespaces, values);
}
