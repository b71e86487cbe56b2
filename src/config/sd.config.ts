import { registerAs } from '@nestjs/config';
import { env } from './env';

export interface SdConfig {
  endpoints: string[];
  /** Jobs one WebUI instance runs at once; AUTOMATIC1111 serialises its own work, so 1. */
  slotsPerInstance: number;
  timeoutMs: number;
  /** How often an unhealthy instance is asked whether it is back. */
  probeIntervalMs: number;
  /** Instances one image may be tried on before it fails. */
  maxAttempts: number;
}

export const sdConfig = registerAs(
  'sd',
  (): SdConfig => ({
    endpoints: (env('SD_ENDPOINTS') ?? '')
      .split(',')
      .map((url) => url.trim().replace(/\/+$/, ''))
      .filter(Boolean),
    slotsPerInstance: Number(env('SD_SLOTS_PER_INSTANCE') ?? 1),
    timeoutMs: Number(env('SD_TIMEOUT_MS') ?? 300000),
    probeIntervalMs: Number(env('SD_PROBE_INTERVAL_MS') ?? 5000),
    maxAttempts: Number(env('SD_MAX_ATTEMPTS') ?? 3),
  }),
);
