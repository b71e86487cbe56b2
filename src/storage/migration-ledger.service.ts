import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { withWriteRetry } from '../common/mongo-errors';
import { Migration } from './migration.schema';

/** Which one-time data migrations have run to their end. */
@Injectable()
export class MigrationLedger {
  constructor(@InjectModel(Migration.name) private readonly migrations: Model<Migration>) {}

  async isDone(name: string): Promise<boolean> {
    return (await this.migrations.findById(name).lean()) !== null;
  }

  async markDone(name: string): Promise<void> {
    await withWriteRetry(() => this.migrations.updateOne({ _id: name }, { $set: { doneAt: new Date() } }, { upsert: true }));
  }
}
