/**
 * Reads one environment variable for a config factory; blank counts as unset, as in
 * validateEnv. Only the config factories call this.
 */
export function env(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}
