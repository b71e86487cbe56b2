import { IsInt, Max, Min } from 'class-validator';
import { defineConfig } from '../../config/define-config';
import { ToNumber } from '../../config/variables';

export class AppsVariables {
  /** The APP_ID under which the paint app answers /generate. */
  @ToNumber() @IsInt() @Min(0) @Max(1000)
  PAINT_APP_ID = 0;
}

/** The APP_ID under which each app answers `/generate`. */
export interface AppsConfig {
  paint: { id: number };
}

export const appsConfig = defineConfig('apps', AppsVariables, (v): AppsConfig => ({ paint: { id: v.PAINT_APP_ID } }));
