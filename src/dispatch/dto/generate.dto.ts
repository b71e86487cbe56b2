import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsObject, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';

/** The longest participant name, in the body or the `X-InsPilot-User` header. */
export const USERNAME_MAX_LENGTH = 128;

export class GenerateDto {
  /**
   * The app: 0 is paint.
   * @example 0
   */
  @IsInt()
  @Min(0)
  appid: number;

  /**
   * The stimulus pipeline of that app.
   * @example 0
   */
  @IsInt()
  @Min(0)
  type: number;

  /** The pipeline's inputs; each type reads its own fields (see the README). */
  @ApiProperty({ type: 'object', additionalProperties: true, example: { task: '设计一款运动辅助产品', num: 6 } })
  @IsObject()
  prompts: Record<string, unknown>;

  /**
   * The participant, for the experiment record. The `X-InsPilot-User` header works too.
   * @example "alice"
   */
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'username must not be blank' })
  @ApiPropertyOptional({ maxLength: USERNAME_MAX_LENGTH })
  @MaxLength(USERNAME_MAX_LENGTH)
  username?: string;
}
