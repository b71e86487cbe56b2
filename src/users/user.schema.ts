import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema, Types } from 'mongoose';

/** A participant: who they are, nothing an app stores for them. `_id` is derived from `username` (participantId). */
@Schema({ collection: 'users', versionKey: false })
export class User {
  @Prop({ type: MongooseSchema.Types.ObjectId })
  _id: Types.ObjectId;

  // Unique on MongoDB; the derived `_id` already makes it so.
  @Prop({ required: true, unique: true })
  username: string;

  @Prop({ required: true })
  createdAt: Date;
}

export const UserSchema = SchemaFactory.createForClass(User);
