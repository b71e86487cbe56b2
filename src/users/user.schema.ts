import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

export const INITIAL_STAGE = '准备';

/**
 * A participant's drawing state. Schemes are stored as the front end sent them, except
 * that their large strings are replaced by references into the sketch store.
 */
@Schema({ collection: 'users', timestamps: true, minimize: false, versionKey: false })
export class User {
  @Prop({ required: true, unique: true })
  username: string;

  @Prop({ default: INITIAL_STAGE })
  currentStage: string;

  @Prop({ default: '' })
  designTask: string;

  @Prop({ type: [MongooseSchema.Types.Mixed], default: [] })
  rapidDivergenceSchemes: Record<string, unknown>[];

  @Prop({ type: [MongooseSchema.Types.Mixed], default: [] })
  deepDivergenceSchemes: Record<string, unknown>[];

  @Prop({ type: [MongooseSchema.Types.Mixed], default: [] })
  convergenceSchemes: Record<string, unknown>[];
}

export const UserSchema = SchemaFactory.createForClass(User);
