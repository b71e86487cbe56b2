import { Type } from 'class-transformer';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsDate, IsIn, IsInt, IsMongoId, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { EXPERIMENT_STATUSES } from '../experiment.schema';

/** Which experiments: every filter is optional and they combine. */
export class ExperimentFilterDto {
  /** @example "alice" */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  username?: string;

  /**
   * The app id.
   * @example 0
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  app?: number;

  /** @example 1 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  type?: number;

  /** @example "succeeded" */
  @IsOptional()
  @ApiPropertyOptional({ enum: EXPERIMENT_STATUSES })
  @IsIn(EXPERIMENT_STATUSES)
  status?: string;

  /**
   * Started at or after (ISO 8601).
   * @example "2026-11-01T00:00:00Z"
   */
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'from must be an ISO 8601 date' })
  from?: Date;

  /**
   * Started before (ISO 8601).
   * @example "2026-12-01T00:00:00Z"
   */
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'to must be an ISO 8601 date' })
  to?: Date;
}

export class ExperimentQueryDto extends ExperimentFilterDto {
  /**
   * Page size.
   * @example 50
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  /** The `nextCursor` of the previous page. */
  @IsOptional()
  @IsMongoId({ message: 'cursor must be a nextCursor returned by a previous page' })
  cursor?: string;
}

export const EXPORT_FORMATS = ['jsonl', 'csv', 'zip'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export class ExperimentExportQueryDto extends ExperimentFilterDto {
  /**
   * jsonl: one experiment per line; csv: one row per step; zip: the JSONL plus every image (PNG, JPEG or WebP).
   * @example "jsonl"
   */
  @IsOptional()
  @ApiPropertyOptional({ enum: EXPORT_FORMATS })
  @IsIn(EXPORT_FORMATS)
  format?: ExportFormat;
}
