/** One generation type of an app. */
export class AppTypeDto {
  /**
   * The `type` of /generate.
   * @example 0
   */
  type: number;

  /** @example "rapid-divergence" */
  name: string;

  /** @example "Scene pictures of products related to the task, each with an abstract principle" */
  summary: string;

  /**
   * The schema of the request, in the API docs' components.
   * @example "PaintRapidDivergenceRequest"
   */
  request: string;

  /**
   * The schema of `prompts`.
   * @example "RapidDivergenceInput"
   */
  prompts: string;

  /**
   * The schema of the answer's `data`.
   * @example "RapidDivergenceOutput"
   */
  data: string;
}

/** An app served by /generate. */
export class AppDto {
  /**
   * Its APP_ID, the `appid` of /generate.
   * @example 0
   */
  appid: number;

  /** @example "paint" */
  name: string;

  types: AppTypeDto[];
}
