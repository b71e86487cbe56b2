import { IsBoolean, IsOptional, Matches } from 'class-validator';
import { defineConfig } from './define-config';
import { ToBoolean } from './variables';

export class MetricsVariables {
  /** GET /metrics in Prometheus text format; false removes the route. */
  @ToBoolean() @IsBoolean({ message: 'must be true or false' })
  METRICS_ENABLED = true;

  /** When set, /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, it is open. */
  @IsOptional()
  @Matches(/^[\x21-\x7e]{16,256}$/, { message: 'must be 16 to 256 visible ASCII characters without spaces' })
  METRICS_TOKEN?: string = undefined;
}

export interface MetricsConfig {
  enabled: boolean;
  /** Unset: open to whoever reaches the port. */
  token?: string;
}

export const metricsConfig = defineConfig(
  'metrics',
  MetricsVariables,
  (v): MetricsConfig => ({ enabled: v.METRICS_ENABLED, token: v.METRICS_TOKEN }),
);
