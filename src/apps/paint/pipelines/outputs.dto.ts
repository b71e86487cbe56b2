import { CreativeDto } from './creative.dto';

/** Type 0, rapid divergence. */
export class RapidDivergenceOutput {
  /**
   * Creatives made; one whose image could not be made is left out.
   * @example 6
   */
  count: number;
  /** Each a scene picture and an abstract principle. */
  result: CreativeDto[];
}

/** Type 1, deep divergence of one sketched scheme. */
export class DeepDivergenceOutput {
  /**
   * The scheme's id, as sent.
   * @example 2
   */
  schemeId: number;
  /** @example 3 */
  count: number;
  /** Each a scene picture, an abstract principle and a concrete function statement. */
  result: CreativeDto[];
}

/** Type 2, convergence naming. */
export class ConvergenceNamingOutput {
  /**
   * One name per scheme, in order.
   * @example ["智能计数跳绳", "心率监测手环", "夜跑安全臂灯"]
   */
  names: string[];
  /**
   * The most novel and practical, from `names`.
   * @example ["智能计数跳绳", "夜跑安全臂灯"]
   */
  selected: string[];
}

/** Type 3, convergence combination. */
export class ConvergenceCombinationOutput {
  /** Each a scene picture, a product render and a function statement. */
  result: CreativeDto[];
}
