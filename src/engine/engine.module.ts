import { Module } from '@nestjs/common';
import { GptModule } from '../providers/gpt/gpt.module';
import { SdPoolModule } from '../providers/sd/sd-pool.module';
import { PromptsModule } from '../prompts/prompts.module';
import { GenerationRunFactory } from './generation-engine.service';

/** What every app's pipelines run on: the model providers, the prompts, and the run that ties them. */
@Module({
  imports: [GptModule, SdPoolModule, PromptsModule],
  providers: [GenerationRunFactory],
  exports: [GenerationRunFactory],
})
export class GenerationModule {}
