import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { MongooseModule } from '@nestjs/mongoose';
import { databaseConfig } from '../config/database.config';

@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (db: ConfigType<typeof databaseConfig>) => ({
        uri: db.uri,
        // The driver keeps retrying server selection for this long; that is the bounded start-up wait.
        serverSelectionTimeoutMS: db.connectTimeoutMs,
        retryAttempts: 0,
        autoIndex: true,
      }),
    }),
  ],
})
export class DatabaseModule {}
