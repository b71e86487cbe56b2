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
import { NotesOrSketch, SomeSchemeHasNotesOrSketch } from './notes-or-sketch.decorator';

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

  /**
   * The scheme's notes. May be empty when designImage carries the scheme (a scheme that was
   * only sketched); with neither a note nor a sketch the request is refused. Blank notes count
   * as none.
   * @example ["可折叠", "夜跑照明"]
   */
  @IsArray()
  @IsString({ each: true })
  @NotesOrSketch()
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

/** A scheme's sketch, shown to the model beside its notes. */
export class SchemeSketchInput {
  /** The scheme's sketch (a PNG, JPEG or WebP data URL), if it has one. */
  @IsOptional()
  @IsImageDataUrl()
  designImage?: string;
}

/** A scheme of type 2: every scheme must say something. */
export class SketchedSchemeInput extends SchemeSketchInput {
  /**
   * The scheme's notes. May be empty when designImage carries the scheme; with neither a note
   * nor a sketch the request is refused. Blank notes count as none.
   * @example ["可折叠", "夜跑照明"]
   */
  @IsArray()
  @IsString({ each: true })
  @NotesOrSketch()
  designTexts: string[];
}

/** A scheme of type 3: one that says nothing adds nothing, but is allowed beside others. */
export class SelectedSchemeInput extends SchemeSketchInput {
  /**
   * The scheme's notes. May be empty when designImage carries the scheme; at least one
   * selected scheme must have a note or a sketch. Blank notes count as none.
   * @example ["可折叠", "夜跑照明"]
   */
  @IsArray()
  @IsString({ each: true })
  designTexts: string[];
}

/** Type 2, convergence part one: name every scheme and pick the best. */
export class ConvergenceNamingInput {
  /** @example "设计一款运动辅助产品" */
  @IsString()
  @Matches(NOT_BLANK, { message: 'designTask must not be empty' })
  @MaxLength(2000)
  designTask: string;

  /** Every scheme of both divergence stages, each with a note or a sketch. */
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
  /** The chosen schemes, at least one; at least one of them must have a note or a sketch. */
  @IsArray()
  @ArrayNotEmpty()
  @ValidateNested({ each: true })
  @Type(() => SelectedSchemeInput)
  @SomeSchemeHasNotesOrSketch()
  selectedSchemes: SelectedSchemeInput[];

  /** @example 3 */
  @IsInt()
  @Min(1)
  @Max(10)
  num: number;
}
