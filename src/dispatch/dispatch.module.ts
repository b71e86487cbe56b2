import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ExperimentsModule } from '../experiments/experiments.module';
import { AppRegistry } from './app-registry.service';
import { GenerateController } from './generate.controller';
import { GenerateRefusals } from './generate-refusals';
import { GenerateService } from './generate.service';

@Module({
  imports: [DiscoveryModule, TerminusModule, ExperimentsModule],
  controllers: [GenerateController],
  providers: [AppRegistry, GenerateService, GenerateRefusals],
  exports: [AppRegistry, GenerateRefusals],
})
export class GenerateModule {}
