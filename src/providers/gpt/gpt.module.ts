import { Module } from '@nestjs/common';
import { openAiClientProvider } from './gpt-client.provider';
import { GptService } from './gpt.service';

@Module({
  providers: [openAiClientProvider, GptService],
  exports: [GptService],
})
export class GptModule {}
