import { IsString, Matches, MaxLength } from 'class-validator';

export class StartDto {
  /**
   * The participant's name; the state is created on the first visit.
   * @example "alice"
   */
  @IsString()
  @Matches(/\S/, { message: 'username must not be empty' })
  @MaxLength(128)
  username: string;
}
