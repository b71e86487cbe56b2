import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types, mongo } from 'mongoose';
import { BusinessError, PayloadTooLargeError } from '../common/errors';
import { DUPLICATE_KEY } from '../common/mongo-errors';
import type { DrawingUpdate } from './drawing-state';
import { INITIAL_STAGE, User } from './user.schema';

export type UserRecord = User & { _id: Types.ObjectId };

const EMPTY_STATE = {
  currentStage: INITIAL_STAGE,
  designTask: '',
  rapidDivergenceSchemes: [],
  deepDivergenceSchemes: [],
  convergenceSchemes: [],
};
/** MongoDB's limit on one document; checked first so the caller hears which limit it hit. */
const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/** Persistence of the user documents; the only code that queries the users collection. */
@Injectable()
export class UsersRepository {
  constructor(@InjectModel(User.name) private readonly users: Model<User>) {}

  // Reads and writes of the state go through the driver's collection, not the model: Mongoose's
  // handling of free-form values drops keys such as `constructor`, and schemes must come back exactly.
  findByUsername(username: string): Promise<UserRecord | null> {
    return this.users.collection.findOne<UserRecord>({ username });
  }

  /** Returns the user, creating it on first visit; safe when many first visits race. */
  async findOrCreate(username: string): Promise<UserRecord> {
    try {
      return await this.upsert(username);
    } catch (error) {
      // Two upserts of a new name can both miss, and the unique index lets only one insert.
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      return this.upsert(username);
    }
  }

  private async upsert(username: string): Promise<UserRecord> {
    const now = new Date();
    const user = await this.users.collection.findOneAndUpdate(
      { username },
      { $setOnInsert: { username, ...EMPTY_STATE, createdAt: now, updatedAt: now } },
      { upsert: true, returnDocument: 'after' },
    );
    if (!user) throw new Error(`upsert of ${username} returned nothing`);
    return user as unknown as UserRecord;
  }

  /** Refuses, before anything is written, a state too large for one document. */
  assertFits(update: DrawingUpdate): void {
    const size = mongo.BSON.calculateObjectSize(update as mongo.Document);
    if (size > MAX_DOCUMENT_BYTES - 64 * 1024) {
      throw new PayloadTooLargeError(
        `The drawing state is ${(size / 1048576).toFixed(1)} MB without its sketches, over the 16 MB a saved state can hold; ` +
          'remove strokes or schemes and save again.',
      );
    }
  }

  /** One atomic `$set`: the stored state is either all old or all new. Returns false for an unknown user. */
  async update(username: string, update: DrawingUpdate): Promise<boolean> {
    try {
      const result = await this.users.collection.updateOne({ username }, { $set: { ...update, updatedAt: new Date() } });
      return result.matchedCount > 0;
    } catch (error) {
      throw storageRefusal(error) ?? error;
    }
  }
}

/** The database's refusals of a value (as opposed to its failures) are the caller's to fix. */
function storageRefusal(error: unknown): BusinessError | undefined {
  const e = error as { code?: number; name?: string; message?: string };
  const refusedValue = e.name === 'MongoServerError' && (e.code === 2 || e.code === 10334 || e.code === 17419);
  if (!refusedValue) return undefined;
  return new BusinessError(`The drawing state cannot be stored: ${e.message}`, 400, { cause: error });
}
