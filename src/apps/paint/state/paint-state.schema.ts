import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema, Types } from 'mongoose';

/** A blob of the participant's (in the sketch store), and when this state last marked it used. */
@Schema({ _id: false, versionKey: false })
export class BlobRef {
  @Prop({ required: true })
  id: string;

  @Prop({ required: true })
  length: number;

  @Prop({ required: true })
  touchedAt: Date;
}
const BlobRefSchema = SchemaFactory.createForClass(BlobRef);

@Schema({ _id: false, versionKey: false })
export class SketchRef {
  /** Where the sketch goes back into the scheme's text, in bytes. */
  @Prop({ required: true })
  at: number;

  @Prop({ type: BlobRefSchema, required: true })
  blob: BlobRef;
}
const SketchRefSchema = SchemaFactory.createForClass(SketchRef);

/** One scheme: its JSON text without its sketches, and the sketches. */
@Schema({ _id: false, versionKey: false })
export class SchemeRef {
  @Prop({ type: BlobRefSchema, required: true })
  text: BlobRef;

  @Prop({ type: [SketchRefSchema], default: [] })
  sketches: SketchRef[];
}
const SchemeRefSchema = SchemaFactory.createForClass(SchemeRef);

/** A blob no longer in the state, kept until no save running elsewhere can still be using it. */
@Schema({ _id: false, versionKey: false })
export class RetiredBlob {
  @Prop({ required: true })
  id: string;

  @Prop({ required: true })
  length: number;

  /** When it left the state. */
  @Prop({ required: true })
  at: Date;
}
const RetiredBlobSchema = SchemaFactory.createForClass(RetiredBlob);

/**
 * A participant's drawing state: one small document under the participant's `_id`, whose
 * schemes are references to blobs. What the canvas app stores; the participant is in `users`.
 */
@Schema({ collection: 'paint_states', versionKey: false })
export class PaintState {
  @Prop({ type: MongooseSchema.Types.ObjectId })
  _id: Types.ObjectId;

  @Prop({ required: true })
  username: string;

  @Prop({ required: true })
  currentStage: string;

  /** The design task's JSON text: as text, any string survives the database exactly. */
  @Prop({ required: true })
  designTaskJson: string;

  @Prop({ type: [SchemeRefSchema], default: [] })
  rapidDivergenceSchemes: SchemeRef[];

  @Prop({ type: [SchemeRefSchema], default: [] })
  deepDivergenceSchemes: SchemeRef[];

  @Prop({ type: [SchemeRefSchema], default: [] })
  convergenceSchemes: SchemeRef[];

  @Prop({ type: [RetiredBlobSchema], default: [] })
  retired: RetiredBlob[];

  @Prop({ required: true })
  updatedAt: Date;
}

export const PaintStateSchema = SchemaFactory.createForClass(PaintState);
