import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** A one-time data migration that has run to its end, named by `_id` so checking it is one lookup. */
@Schema({ collection: 'migrations', versionKey: false })
export class Migration {
  @Prop({ type: String })
  _id: string;

  @Prop({ required: true })
  doneAt: Date;
}

export const MigrationSchema = SchemaFactory.createForClass(Migration);
