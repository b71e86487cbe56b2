import { DynamicModule, Global, Module } from '@nestjs/common';
import { GenerationMetrics } from './generation.metrics';
import { GptMetrics } from './gpt.metrics';
import { HttpMetrics } from './http.metrics';
import { MaintenanceMetrics } from './maintenance.metrics';
import { MetricsController } from './metrics.controller';
import { metricsRegistryProvider } from './metrics-registry.provider';
import { MetricsTokenGuard } from './metrics-token.guard';
import { RateLimitMetrics } from './rate-limit.metrics';
import { RecordMetrics } from './record.metrics';
import { SdMetrics } from './sd.metrics';

const SERIES = [HttpMetrics, GenerationMetrics, GptMetrics, SdMetrics, RecordMetrics, RateLimitMetrics, MaintenanceMetrics];

/**
 * The app's metrics: the registry and the series the rest of the service reports to (global, so
 * any module injects them), and, when enabled, GET /metrics. Gauges that read another module's
 * state (the pool, the record backlog) are registered by that module on the same registry.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(options: { route: boolean }): DynamicModule {
    return {
      module: MetricsModule,
      controllers: options.route ? [MetricsController] : [],
      providers: [metricsRegistryProvider, MetricsTokenGuard, ...SERIES],
      exports: [metricsRegistryProvider, ...SERIES],
    };
  }
}
