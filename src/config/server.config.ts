import { registerAs } from '@nestjs/config';
import { env } from './env';

export interface ServerConfig {
  port: number;
  host: string;
  bodyLimit: string;
  /** `true` allows any origin; otherwise the exact origins allowed. */
  corsOrigins: true | string[];
}

export const serverConfig = registerAs(
  'server',
  (): ServerConfig => ({
    port: Number(env('PORT') ?? 5000),
    host: env('HOST') ?? '0.0.0.0',
    bodyLimit: env('BODY_LIMIT') ?? '100mb',
    corsOrigins: parseOrigins(env('CORS_ORIGINS') ?? '*'),
  }),
);

function parseOrigins(value: string): true | string[] {
  if (value.trim() === '*') return true;
  return value
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}
