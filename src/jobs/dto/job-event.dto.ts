import { ApiProperty } from '@nestjs/swagger';

/** The `data` of a `step` event: a step started, or ended as it says. */
export class StepEventDto {
  /** @example "products" */
  name: string;
  @ApiProperty({ enum: ['gpt', 'vision', 'sd'], example: 'gpt' })
  kind: 'gpt' | 'vision' | 'sd';
  @ApiProperty({ enum: ['started', 'succeeded', 'failed'], example: 'started' })
  status: 'started' | 'succeeded' | 'failed';
  /** @example "2026-11-20T09:30:00.123Z" */
  at: string;
}

/** The `data` of an `image` event: one image was made. */
export class ImageEventDto {
  /** @example "images" */
  step: string;
  /** @example 0 */
  index: number;
  /**
   * Its id in the experiment record, when it was stored.
   * @example "6746e0c2a1b2c3d4e5f60718-images-0"
   */
  imageId?: string;
  /** The image as bare base64, as the result will hold it. */
  image: string;
}

/** The `data` of a `creative` event: every part of one creative exists. */
export class CreativeEventDto {
  /**
   * The creative's slot: its place in `result` when every creative is made (one whose image
   * could not be made is left out of the result, and the later ones move up).
   * @example 0
   */
  index: number;
  /** The creative, equal to the one the result holds for this slot. */
  @ApiProperty({ type: 'object', additionalProperties: true, example: { type: 0, displayType: 'sequence', items: [] } })
  creative: object;
}

/** The `data` of a `done` event: the job's whole result, the `data` /generate answers. */
export class DoneEventDto {
  @ApiProperty({ type: 'object', additionalProperties: true, example: { count: 6, result: [] } })
  data: object;
}

/** The `data` of a `failed` event: the failure, as the envelope of /generate would carry it. */
export class FailedEventDto {
  /** @example 2 */
  code: number;
  /** @example "GPT step \"products\" failed after 4 attempts: 500 Internal Server Error" */
  message: string;
}
