import type { Scheme } from './scheme-codec';

/** The stage names of the front end, and the user-document field each stage's schemes live in. */
export const STAGES = ['准备', '禁止', '快速发散', '深入发散', '收敛', '完成'] as const;
export type Stage = (typeof STAGES)[number];

export const SCHEME_FIELDS = {
  快速发散: 'rapidDivergenceSchemes',
  深入发散: 'deepDivergenceSchemes',
  收敛: 'convergenceSchemes',
} as const;

export type SchemeField = (typeof SCHEME_FIELDS)[keyof typeof SCHEME_FIELDS];

/** What `/paint/start` returns and `/paint/save` stores, in the user document's terms. */
export interface DrawingState {
  _id: string;
  username: string;
  currentStage: string;
  designTask: string;
  rapidDivergenceSchemes: Scheme[];
  deepDivergenceSchemes: Scheme[];
  convergenceSchemes: Scheme[];
}

export type DrawingUpdate = Pick<DrawingState, 'currentStage' | 'designTask'> & Partial<Record<SchemeField, Scheme[]>>;
