/** The stage names of the front end (the values of `currentStage`). */
export const STAGES = ['准备', '禁止', '快速发散', '深入发散', '收敛', '完成'] as const;
export const INITIAL_STAGE = '准备';

/** The stages whose schemes are stored, and the field each stage's schemes are returned in. */
export const SCHEME_FIELDS = {
  快速发散: 'rapidDivergenceSchemes',
  深入发散: 'deepDivergenceSchemes',
  收敛: 'convergenceSchemes',
} as const;

export type StoredStage = keyof typeof SCHEME_FIELDS;
export type SchemeField = (typeof SCHEME_FIELDS)[StoredStage];
export const SCHEME_LIST_FIELDS = Object.values(SCHEME_FIELDS) as SchemeField[];
