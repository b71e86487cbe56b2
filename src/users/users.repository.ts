import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { isDuplicateKey, withWriteRetry } from '../common/mongo-errors';
import { User } from './user.schema';

/** The users collection; every lookup is by `_id`. */
@Injectable()
export class UsersRepository {
  constructor(@InjectModel(User.name) private readonly users: Model<User>) {}

  findById(id: Types.ObjectId): Promise<User | null> {
    return this.users.findById(id).lean<User>().exec();
  }

  /** Stores the user unless a user with that `_id` exists; safe when many first visits race. */
  async insertIfAbsent(user: User): Promise<void> {
    try {
      await withWriteRetry(() =>
        this.users.updateOne({ _id: user._id }, { $setOnInsert: { username: user.username, createdAt: user.createdAt } }, { upsert: true }).exec(),
      );
    } catch (error) {
      // Two upserts of one new `_id` can both miss, and only one insert wins; the caller reads
      // back which user holds the `_id` (a username taken under another `_id` fails there too).
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /** Every user's `_id`, name and creation time (a full scan: for one-time migrations). */
  listAll(): Promise<Array<Pick<User, '_id' | 'username' | 'createdAt'>>> {
    return this.users.find({}, { _id: 1, username: 1, createdAt: 1 }).lean<User[]>().exec();
  }

  /** A user document as stored, fields of earlier versions included. */
  findStored(id: Types.ObjectId): Promise<Record<string, unknown> | null> {
    return this.users.findById(id).lean<Record<string, unknown>>().exec();
  }

  async deleteById(id: Types.ObjectId): Promise<void> {
    await withWriteRetry(() => this.users.deleteOne({ _id: id }).exec());
  }
}
