import { IsInt, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';

/** The `prompts` of a <%= app %> type-<%= type %> request. */
export class <%= classify(app) %><%= classify(name) %>Input {
  /**
   * What the ideas are about.
   * @example "城市通勤"
   */
  @IsString()
  @Matches(/\S/, { message: 'subject must not be empty' })
  @MaxLength(2000)
  subject: string;

  /**
   * How many ideas, each with its picture.
   * @example 3
   */
  // Left out, it is 3; given, even as null, it must be a whole number from 1 to 10.
  @ValidateIf((_input, value) => value !== undefined)
  @IsInt()
  @Min(1)
  @Max(10)
  num: number = 3;
}

export class <%= classify(app) %><%= classify(name) %>Item {
  /** @example "折叠式通勤滑板" */
  text: string;

  /** The picture, as bare base64 of a PNG. */
  image: string;
}

/** The `data` of a <%= app %> type-<%= type %> answer. */
export class <%= classify(app) %><%= classify(name) %>Output {
  /** @example 3 */
  count: number;

  result: <%= classify(app) %><%= classify(name) %>Item[];
}
