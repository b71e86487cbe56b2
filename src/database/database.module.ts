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
        // Start-up already waited for the database (main.ts); from here on, a request waits
        // this long for an unreachable one and then answers 503, and the driver reconnects
        // by itself when it returns.
        serverSelectionTimeoutMS: db.operationTimeoutMs,
        bufferTimeoutMS: db.operationTimeoutMs,
        retryAttempts: 0,
        autoIndex: true,
      }),
    }),
  ],
})
export class DatabaseModule {}
