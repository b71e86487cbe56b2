import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ExperimentsModule } from '../experiments/experiments.module';
import { GenerateModule } from '../dispatch/dispatch.module';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), ExperimentsModule, GenerateModule],
  controllers: [HealthController],
})
export class HealthModule {}
