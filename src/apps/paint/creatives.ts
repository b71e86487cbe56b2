import type { MadeImage } from '../../engine';

/** The creative objects the front end reads (docs/front-end-contract.md). */
export enum CreativeType {
  RapidAbstract = 0,
  RapidConcrete = 1,
  Deep = 2,
  ConvergenceOne = 3,
  ConvergenceTwo = 4,
}

export const ITEM_TYPES = ['abstractText', 'concreteText', 'abstractImage', 'concreteImage', 'groupTypeOne', 'groupTypeTwo'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

export const DISPLAY_TYPES = ['sequence', 'direct'] as const;

/** Every key is present on every item; the ones that do not apply are null. */
export interface CreativeItem {
  type: ItemType;
  text: string | null;
  image: string | null;
  combinations: CreativeItem[] | null;
}

export interface Creative {
  type: CreativeType;
  displayType: (typeof DISPLAY_TYPES)[number];
  items: CreativeItem[];
}

export const textItem = (type: 'abstractText' | 'concreteText', text: string): CreativeItem => ({ type, text, image: null, combinations: null });

export const imageItem = (type: 'abstractImage' | 'concreteImage', image: MadeImage): CreativeItem => ({
  type,
  text: null,
  image: image.image,
  combinations: null,
});

export const groupItem = (type: 'groupTypeOne' | 'groupTypeTwo', combinations: CreativeItem[]): CreativeItem => ({
  type,
  text: null,
  image: null,
  combinations,
});

/** How a list of items is shown to the model in a later step. */
export function joinItems(items: readonly string[]): string {
  return items.join('、');
}
