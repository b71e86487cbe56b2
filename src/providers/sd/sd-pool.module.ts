import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { SdController } from './sd.controller';
import { sdDefaultsProvider } from './sd-defaults.provider';
import { SdPoolService } from './sd-pool.service';

@Module({
  imports: [HttpModule],
  controllers: [SdController],
  providers: [sdDefaultsProvider, SdPoolService],
  exports: [SdPoolService],
})
export class SdPoolModule {}
