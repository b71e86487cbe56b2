import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DispatchModule } from '../dispatch/dispatch.module';
import { ExperimentsModule } from '../experiments/experiments.module';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), ExperimentsModule, DispatchModule],
  controllers: [HealthController],
})
export class HealthModule {}
