import { Type } from 'class-transformer';
import { IMAGE_DATA_URL } from '../../common/data-url';
import { IsArray, IsBoolean, IsNumber, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';

export class PointDto {
  /** @example 120.5 */
  @IsNumber()
  x: number;

  /** @example 88 */
  @IsNumber()
  y: number;
}

/** One stroke, as react-sketch-canvas exports it. */
export class CanvasPathDto {
  /** `true` for the pen, `false` for the eraser. */
  @IsBoolean()
  drawMode: boolean;

  /** @example "#000000" */
  @IsString()
  strokeColor: string;

  /** @example 4 */
  @IsNumber()
  strokeWidth: number;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => PointDto)
  paths: PointDto[];

  /** @example 1732680000000 */
  @IsOptional()
  @IsNumber()
  startTimestamp?: number;

  /** @example 1732680001500 */
  @IsOptional()
  @IsNumber()
  endTimestamp?: number;
}

export class SchemeTextDto {
  /** @example "可折叠" */
  @IsString()
  text: string;

  @ValidateNested()
  @Type(() => PointDto)
  position: PointDto;
}

/** One design scheme drawn on the canvas. */
export class SchemeDto {
  /** @example "方案1" */
  @IsString()
  name: string;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CanvasPathDto)
  paths: CanvasPathDto[];

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SchemeTextDto)
  texts: SchemeTextDto[];

  /**
   * The sketch exported from the canvas, as a data URL.
   * @example "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
   */
  @IsOptional()
  @IsString()
  @Matches(IMAGE_DATA_URL, { message: 'canvasImage must be a data URL such as data:image/png;base64,…' })
  canvasImage?: string;

  /** The sketch as SVG text. */
  @IsOptional()
  @IsString()
  canvasSvg?: string;
}
