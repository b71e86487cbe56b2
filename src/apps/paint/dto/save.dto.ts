import { Type } from 'class-transformer';
import { IsArray, IsIn, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { STAGES } from '../stages';
import { SchemeDto } from './canvas.dto';
import { StartDto } from './start.dto';

/**
 * Schemes by stage. Only 快速发散, 深入发散 and 收敛 are stored; a stage that is null or
 * absent keeps what was stored before.
 */
export class DesignSchemesDto {
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
}

export class DrawingDataDto {
  /** @example "设计一款运动辅助产品" */
  @IsString()
  designTask: string;

  /** @example "快速发散" */
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
