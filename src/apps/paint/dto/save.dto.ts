import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { STAGES } from '../stages';
import { SchemeDto } from './canvas.dto';
import { StartDto } from './start.dto';

const ALWAYS_NULL = 'The front end always sends this stage as null: it has no schemes. Any value is ignored.';

/**
 * Schemes by stage. Only 快速发散, 深入发散 and 收敛 are stored; a stage that is null or
 * absent keeps what was stored before.
 */
export class DesignSchemesDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, example: null, description: ALWAYS_NULL })
  @IsOptional()
  准备?: null;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SchemeDto)
  快速发散?: SchemeDto[] | null;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SchemeDto)
  深入发散?: SchemeDto[] | null;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SchemeDto)
  收敛?: SchemeDto[] | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, example: null, description: ALWAYS_NULL })
  @IsOptional()
  完成?: null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, example: null, description: ALWAYS_NULL })
  @IsOptional()
  禁止?: null;
}

export class DrawingDataDto {
  /** @example "设计一款运动辅助产品" */
  @IsString()
  designTask: string;

  /** @example "快速发散" */
  @ApiProperty({ enum: STAGES })
  @IsIn(STAGES)
  currentStage: string;

  @IsObject()
  @ValidateNested()
  @Type(() => DesignSchemesDto)
  designSchemes: DesignSchemesDto;
}

export class SaveDto extends StartDto {
  @IsObject()
  @ValidateNested()
  @Type(() => DrawingDataDto)
  data: DrawingDataDto;
}
