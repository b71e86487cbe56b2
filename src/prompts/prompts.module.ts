import { Module } from '@nestjs/common';
import { ImageStyleService } from './image-style.service';
import { PromptService } from './prompt.service';

@Module({
  providers: [PromptService, ImageStyleService],
  exports: [PromptService, ImageStyleService],
})
export class PromptsModule {}
