import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { MigrationLedger } from './migration-ledger.service';
import { Migration, MigrationSchema } from './migration.schema';
import { SketchStore } from './sketch-store.service';

@Module({
  imports: [MongooseModule.forFeature([{ name: Migration.name, schema: MigrationSchema }])],
  providers: [SketchStore, MigrationLedger],
  exports: [SketchStore, MigrationLedger],
})
export class StorageModule {}
