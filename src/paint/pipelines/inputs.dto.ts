import { Type } from 'class-transformer';
import { IMAGE_DATA_URL } from '../../common/data-url';
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

const IMAGE_URL = new RegExp(`${IMAGE_DATA_URL.source}|^https?://`);
const IMAGE_URL_MESSAGE = '$property must be an image data URL (data:image/png;base64,…) or an http(s) URL';
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

  /** The scheme's sketch; missing when the scheme was never saved. */
  @IsOptional()
  @IsString()
  @Matches(IMAGE_URL, { message: IMAGE_URL_MESSAGE })
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
  @IsOptional()
  @IsString()
  @Matches(IMAGE_URL, { message: IMAGE_URL_MESSAGE })
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
