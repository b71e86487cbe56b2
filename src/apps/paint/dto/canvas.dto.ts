import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsNumber, IsOptional, IsString, ValidateNested } from 'class-validator';
import { IsImageDataUrl } from '../../../common/is-image-data-url.decorator';
import { IsPointList } from './point-list.validator';

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

  @IsPointList()
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
   * The sketch exported from the canvas: a PNG, JPEG or WebP data URL (checked by its bytes).
   * @example "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
   */
  @IsOptional()
  @IsImageDataUrl()
  canvasImage?: string;

  /** The sketch as SVG text. */
  @IsOptional()
  @IsString()
  canvasSvg?: string;
}
