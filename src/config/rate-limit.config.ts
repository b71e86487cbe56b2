import { IsInt, Max, Min } from 'class-validator';
import { defineConfig } from './define-config';
import { ToNumber } from './variables';

export class RateLimitVariables {
  /** The window the limits below count requests in. */
  @ToNumber() @IsInt() @Min(1000) @Max(3600000)
  RATE_LIMIT_WINDOW_MS = 60000;

  /**
   * /generate requests one client (network address) may make per window. A browser fires ten
   * or more at once and a lab may put every participant behind one address: raise it for that.
   */
  @ToNumber() @IsInt() @Min(1) @Max(1000000)
  RATE_LIMIT_GENERATE = 240;

  /** Requests one client may make per window on every other route (/ping and /health are not limited). */
  @ToNumber() @IsInt() @Min(1) @Max(1000000)
  RATE_LIMIT = 1200;
}

export interface RateLimitConfig {
  windowMs: number;
  generate: number;
  default: number;
}

export const rateLimitConfig = defineConfig(
  'rateLimit',
  RateLimitVariables,
  (v): RateLimitConfig => ({ windowMs: v.RATE_LIMIT_WINDOW_MS, generate: v.RATE_LIMIT_GENERATE, default: v.RATE_LIMIT }),
);
