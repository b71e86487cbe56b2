import { Module } from '@nestjs/common';
import { GptModule } from '../providers/gpt/gpt.module';
import { SdPoolModule } from '../providers/sd/sd-pool.module';
import { PromptsModule } from '../prompts/prompts.module';
import { GenerationEngine } from './generation-engine.service';

/** What every app's pipelines run on: the model providers, the prompts, and the engine that runs them. */
@Module({
  imports: [GptModule, SdPoolModule, PromptsModule],
  providers: [GenerationEngine],
  exports: [GenerationEngine],
})
export class EngineModule {}
