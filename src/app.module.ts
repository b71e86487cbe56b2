import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { EnvelopeInterceptor } from './common/envelope.interceptor';
import { RateLimitModule } from './common/rate-limit.module';
import { createValidationPipe } from './common/validation.pipe';
import { AppConfigModule } from './config/config.module';
import type { Environment } from './config/environment';
import { DatabaseModule } from './database/database.module';
import { ExperimentsModule } from './experiments/experiments.module';
import { GenerateModule } from './dispatch/dispatch.module';
import { HealthModule } from './health/health.module';
import { PaintModule } from './apps/paint/paint.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  /** The whole service, configured by one validated environment. */
  static forRoot(environment: Environment): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(environment),
        DatabaseModule,
        RateLimitModule,
        HealthModule,
        UsersModule,
        GenerateModule,
        PaintModule,
        ExperimentsModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
