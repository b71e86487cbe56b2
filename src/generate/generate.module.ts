import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppRegistry } from './app-registry.service';
import { GenerateController } from './generate.controller';
import { GenerateService } from './generate.service';

@Module({
  imports: [DiscoveryModule],
  controllers: [GenerateController],
  providers: [AppRegistry, GenerateService],
  exports: [AppRegistry],
})
export class GenerateModule {}
