import { SchemeDto } from './canvas.dto';

/** A participant's saved drawing state, exactly as last saved. */
export class DrawingStateDto {
  /** @example "6746e0c2a1b2c3d4e5f60718" */
  _id: string;

  /** @example "alice" */
  username: string;

  /** @example "准备" */
  currentStage: string;

  /** @example "" */
  designTask: string;

  rapidDivergenceSchemes: SchemeDto[];
  deepDivergenceSchemes: SchemeDto[];
  convergenceSchemes: SchemeDto[];
}
