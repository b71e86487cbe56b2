import { IsInt, Max, Min } from 'class-validator';
import { defineConfig } from './define-config';
import { IsCronExpression } from './is-cron-expression';
import { ToNumber } from './variables';

export class MaintenanceVariables {
  /**
   * When experiment images past EXPERIMENT_IMAGE_RETENTION_DAYS are deleted, as a cron
   * expression in the server's local time (besides one run at start-up).
   */
  @IsCronExpression('0 3 * * *')
  IMAGE_RETENTION_CRON = '0 3 * * *';

  /** With REDIS_URL, how often the records left queued or running by nodes that are gone are marked interrupted. */
  @ToNumber() @IsInt() @Min(100) @Max(86400000)
  GONE_NODES_SWEEP_MS = 60000;

  /**
   * How long a node's hold on a maintenance task lasts unless renewed (it is, while the task
   * runs): a node that crashed mid-task keeps the others from it this long.
   */
  @ToNumber() @IsInt() @Min(1000) @Max(3600000)
  MAINTENANCE_LEASE_MS = 60000;
}

export interface MaintenanceConfig {
  imageRetentionCron: string;
  goneNodesSweepMs: number;
  leaseMs: number;
}

export const maintenanceConfig = defineConfig(
  'maintenance',
  MaintenanceVariables,
  (v): MaintenanceConfig => ({
    imageRetentionCron: v.IMAGE_RETENTION_CRON,
    goneNodesSweepMs: v.GONE_NODES_SWEEP_MS,
    leaseMs: v.MAINTENANCE_LEASE_MS,
  }),
);
