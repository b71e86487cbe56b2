import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { MongooseModule } from '@nestjs/mongoose';
import { databaseConfig } from '../config/database.config';
import { BlobCache } from './blob-cache';
import { MigrationLedger } from './migration-ledger.service';
import { Migration, MigrationSchema } from './migration.schema';
import { SketchStore } from './sketch-store.service';

@Module({
  imports: [MongooseModule.forFeature([{ name: Migration.name, schema: MigrationSchema }])],
  providers: [
    { provide: BlobCache, inject: [databaseConfig.KEY], useFactory: (db: ConfigType<typeof databaseConfig>) => new BlobCache(db.sketchCacheBytes) },
    SketchStore,
    MigrationLedger,
  ],
  exports: [SketchStore, MigrationLedger],
})
export class StorageModule {}
