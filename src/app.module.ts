import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { PaintModule } from './apps/paint/paint.module';
import { ClusterModule } from './cluster/cluster.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { EnvelopeInterceptor } from './common/envelope.interceptor';
import { RateLimitModule } from './common/rate-limit.module';
import { createValidationPipe } from './common/validation.pipe';
import { AppConfigModule } from './config/config.module';
import type { Environment } from './config/environment';
import { DatabaseModule } from './database/database.module';
import { DispatchModule } from './dispatch/dispatch.module';
import { ExperimentsModule } from './experiments/experiments.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { metricsConfig } from './config/metrics.config';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { UsersModule } from './users/users.module';

/** The generation apps are the modules imported here (`nest g app` adds one); the rest of the service comes with `forRoot`. */
@Module({
  imports: [PaintModule],
})
export class AppModule {
  /** The whole service, configured by one validated environment. */
  static forRoot(environment: Environment): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(environment),
        LoggingModule,
        MetricsModule.forRoot({ route: environment.config(metricsConfig).enabled }),
        ClusterModule,
        DatabaseModule,
        RateLimitModule,
        HealthModule,
        UsersModule,
        DispatchModule,
        JobsModule,
        ExperimentsModule,
        ScheduleModule.forRoot(),
        MaintenanceModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
