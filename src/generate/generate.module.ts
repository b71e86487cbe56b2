import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ExperimentsModule } from '../experiments/experiments.module';
import { AppRegistry } from './app-registry.service';
import { GenerateController } from './generate.controller';
import { GenerateService } from './generate.service';

@Module({
  imports: [DiscoveryModule, ExperimentsModule],
  controllers: [GenerateController],
  providers: [AppRegistry, GenerateService],
  exports: [AppRegistry],
})
export class GenerateModule {}
