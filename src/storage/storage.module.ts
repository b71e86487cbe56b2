import { Module } from '@nestjs/common';
import { SketchStore } from './sketch-store.service';

@Module({
  providers: [SketchStore],
  exports: [SketchStore],
})
export class StorageModule {}
