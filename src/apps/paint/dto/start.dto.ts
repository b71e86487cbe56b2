import { IsString, Matches, MaxLength } from 'class-validator';

export class StartDto {
  /**
   * The participant's name; the state is created on the first visit.
   * @example "alice"
   */
  @IsString()
  @Matches(/\S/, { message: 'username must not be empty' })
  @Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'username must not contain control characters' })
  @Matches(/^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/, { message: 'username must not contain unpaired surrogates' })
  @MaxLength(128)
  username: string;
}
