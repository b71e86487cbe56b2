import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { EngineModule } from '../engine/engine.module';
import { ExperimentsModule } from '../experiments/experiments.module';
import { PromptsModule } from '../prompts/prompts.module';
import { AppRegistry } from './app-registry.service';
import { AppsController } from './apps.controller';
import { GenerateController } from './generate.controller';
import { GenerateRefusals } from './generate-refusals';
import { GenerateService } from './generate.service';

/** `/generate` and `/apps`: finds the app and pipeline a request names, checks its inputs, opens its record and hands it to the engine. */
@Module({
  imports: [DiscoveryModule, TerminusModule, ExperimentsModule, EngineModule, PromptsModule],
  controllers: [GenerateController, AppsController],
  providers: [AppRegistry, GenerateService, GenerateRefusals],
  exports: [GenerateRefusals],
})
export class DispatchModule {}
