import { Type } from 'class-transformer';
import { IsImageDataUrl } from '../../../common/is-image-data-url.decorator';
import {
  ArrayNotEmpty,
  IsArray,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

const NOT_BLANK = /\S/;

/** Type 0, rapid divergence. */
export class RapidDivergenceInput {
  /**
   * The design task.
   * @example "设计一款运动辅助产品"
   */
  @IsString()
  @Matches(NOT_BLANK, { message: 'task must not be empty' })
  @MaxLength(2000)
  task: string;

  /**
   * Creatives to make.
   * @example 6
   */
  @IsInt()
  @Min(1)
  @Max(20)
  num: number;
}

/** Type 1, deep divergence of one sketched scheme. */
export class DeepDivergenceInput {
  /** @example "设计一款运动辅助产品" */
  @IsString()
  @MaxLength(2000)
  designTask: string;

  /** @example ["可折叠", "夜跑照明"] */
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  designTexts: string[];

  /** The scheme's sketch as the canvas exports it (a PNG, JPEG or WebP data URL); missing when the scheme was never saved. */
  @IsOptional()
  @IsImageDataUrl()
  designImage?: string;

  /**
   * Echoed back so the caller can match answers to schemes.
   * @example 2
   */
  @IsNumber()
  schemeId: number;
}

export class SelectedSchemeInput {
  /** @example ["可折叠", "夜跑照明"] */
  @IsArray()
  @IsString({ each: true })
  designTexts: string[];
}

export class SketchedSchemeInput extends SelectedSchemeInput {
  /** The scheme's sketch (a PNG, JPEG or WebP data URL), if it has one. */
  @IsOptional()
  @IsImageDataUrl()
  designImage?: string;
}

/** Type 2, convergence part one: name every scheme and pick the best. */
export class ConvergenceNamingInput {
  /** @example "设计一款运动辅助产品" */
  @IsString()
  @Matches(NOT_BLANK, { message: 'designTask must not be empty' })
  @MaxLength(2000)
  designTask: string;

  @IsArray()
  @ArrayNotEmpty()
  @ValidateNested({ each: true })
  @Type(() => SketchedSchemeInput)
  schemes: SketchedSchemeInput[];

  /** @example 3 */
  @IsInt()
  @Min(1)
  @Max(50)
  selectNum: number;
}

/** Type 3, convergence part two: scenes and products for each chosen scheme. */
export class ConvergenceCombinationInput {
  @IsArray()
  @ArrayNotEmpty()
  @ValidateNested({ each: true })
  @Type(() => SelectedSchemeInput)
  selectedSchemes: SelectedSchemeInput[];

  /** @example 3 */
  @IsInt()
  @Min(1)
  @Max(10)
  num: number;
}
