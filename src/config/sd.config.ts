import { IsInt, IsNumber, Matches, Max, Min } from 'class-validator';
import { defineConfig } from './define-config';
import { splitList, ToNumber, URL_LIST } from './variables';

export class SdVariables {
  /** Required: AUTOMATIC1111 WebUI base URLs (started with --api), comma-separated. */
  @Matches(URL_LIST, {
    message: 'is required: a comma-separated list of AUTOMATIC1111 WebUI base URLs such as http://127.0.0.1:7860',
  })
  SD_ENDPOINTS?: string = undefined;

  /** Jobs one instance runs at once (the WebUI serialises its own work). */
  @ToNumber() @IsInt() @Min(1) @Max(64)
  SD_SLOTS_PER_INSTANCE = 1;

  /** Longest one image request may take, whatever else happens. */
  @ToNumber() @IsInt() @Min(100) @Max(3600000)
  SD_TIMEOUT_MS = 300000;

  /** Tries of one image (on other instances, or the same one once it is back). */
  @ToNumber() @IsInt() @Min(1) @Max(10)
  SD_MAX_ATTEMPTS = 3;

  /** How often an instance set aside is checked with a small test image. */
  @ToNumber() @IsInt() @Min(10) @Max(3600000)
  SD_PROBE_INTERVAL_MS = 5000;

  /** How soon an instance that failed a job is first checked again. */
  @ToNumber() @IsInt() @Min(0) @Max(600000)
  SD_RETRY_BACKOFF_MS = 1000;

  /** How long an image waits for an instance to come back when none is healthy. */
  @ToNumber() @IsInt() @Min(0) @Max(3600000)
  SD_RECOVERY_WAIT_MS = 30000;

  /** A job is stalled once it runs this many times its instance's recent p95 image time... */
  @ToNumber() @IsNumber() @Min(1) @Max(100)
  SD_STALL_FACTOR = 3;

  /** ...but never sooner than this... */
  @ToNumber() @IsInt() @Min(10) @Max(3600000)
  SD_STALL_FLOOR_MS = 15000;

  /** ...and always by this (also the limit before an instance has a history). */
  @ToNumber() @IsInt() @Min(10) @Max(3600000)
  SD_STALL_CEILING_MS = 120000;
}

export interface SdConfig {
  endpoints: string[];
  /** Jobs one WebUI instance runs at once; AUTOMATIC1111 serialises its own work, so 1. */
  slotsPerInstance: number;
  timeoutMs: number;
  maxAttempts: number;
  probeIntervalMs: number;
  retryBackoffMs: number;
  recoveryWaitMs: number;
  stall: { factor: number; floorMs: number; ceilingMs: number };
}

export const sdConfig = defineConfig(
  'sd',
  SdVariables,
  (v): SdConfig => ({
    endpoints: splitList(v.SD_ENDPOINTS ?? '').map((url) => url.replace(/\/+$/, '')),
    slotsPerInstance: v.SD_SLOTS_PER_INSTANCE,
    timeoutMs: v.SD_TIMEOUT_MS,
    maxAttempts: v.SD_MAX_ATTEMPTS,
    probeIntervalMs: v.SD_PROBE_INTERVAL_MS,
    retryBackoffMs: v.SD_RETRY_BACKOFF_MS,
    recoveryWaitMs: v.SD_RECOVERY_WAIT_MS,
    stall: { factor: v.SD_STALL_FACTOR, floorMs: v.SD_STALL_FLOOR_MS, ceilingMs: v.SD_STALL_CEILING_MS },
  }),
  (v) => (v.SD_STALL_FLOOR_MS > v.SD_STALL_CEILING_MS ? ['SD_STALL_FLOOR_MS: must not be above SD_STALL_CEILING_MS'] : []),
);
