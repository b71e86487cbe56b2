import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { EngineModule } from '../engine/engine.module';
import { ExperimentsModule } from '../experiments/experiments.module';
import { PromptsModule } from '../prompts/prompts.module';
import { AppRegistry } from './app-registry.service';
import { AppsController } from './apps.controller';
import { GenerateRefusals } from './generate-refusals';
import { GenerateService } from './generate.service';

/**
 * Finds the app and pipeline a generation request names and checks its inputs; src/jobs runs
 * what it accepts, for /generate and /jobs alike. `/apps` lists what it knows.
 */
@Module({
  imports: [DiscoveryModule, TerminusModule, ExperimentsModule, EngineModule, PromptsModule],
  controllers: [AppsController],
  providers: [AppRegistry, GenerateService, GenerateRefusals],
  exports: [AppRegistry, GenerateService, GenerateRefusals],
})
export class DispatchModule {}
