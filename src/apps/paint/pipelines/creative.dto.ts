import { ApiProperty } from '@nestjs/swagger';
import { CreativeItem, Creative, CreativeType, DISPLAY_TYPES, ITEM_TYPES, type ItemType } from '../creatives';

/** One part of a creative. Every key is present; the ones that do not apply to its type are null. */
export class CreativeItemDto implements CreativeItem {
  /** `…Text` items carry `text`, `…Image` items `image`, `group…` items `combinations`. */
  @ApiProperty({ enum: ITEM_TYPES, example: 'abstractText' })
  type: ItemType;

  /**
   * A principle or function statement.
   * @example "通过可折叠结构减少收纳空间"
   */
  @ApiProperty({ type: String, nullable: true })
  text: string | null;

  /** A PNG, base64 without a data URL prefix. */
  @ApiProperty({ type: String, nullable: true, example: null })
  image: string | null;

  /** The items shown together, for `groupTypeOne` and `groupTypeTwo`. */
  @ApiProperty({ type: () => [CreativeItemDto], nullable: true, example: null })
  combinations: CreativeItemDto[] | null;
}

/** One stimulus as the canvas shows it. */
export class CreativeDto implements Creative {
  /** 0–1 rapid divergence (abstract, concrete), 2 deep divergence, 3–4 convergence. */
  @ApiProperty({ enum: CreativeType, enumName: 'CreativeType', example: CreativeType.RapidAbstract })
  type: CreativeType;

  /** `sequence`: items one after another; `direct`: all at once. */
  @ApiProperty({ enum: DISPLAY_TYPES, example: 'sequence' })
  displayType: (typeof DISPLAY_TYPES)[number];

  items: CreativeItemDto[];
}
