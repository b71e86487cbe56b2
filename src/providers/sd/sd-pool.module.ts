import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { SdController } from './sd.controller';
import { sdDefaultsProvider } from './sd-defaults.provider';
import { SdInstanceProber } from './sd-instance.prober';
import { sdInstancesProvider } from './sd-instances.provider';
import { SdJobScheduler } from './sd-job.scheduler';
import { SdPoolService } from './sd-pool.service';
import { SdWebUiClient } from './sd-webui.client';

@Module({
  imports: [HttpModule],
  controllers: [SdController],
  providers: [sdDefaultsProvider, sdInstancesProvider, SdWebUiClient, SdInstanceProber, SdJobScheduler, SdPoolService],
  exports: [SdPoolService],
})
export class SdPoolModule {}
