import { IsInt, Max, Min } from 'class-validator';
import { defineConfig } from '../../config/define-config';
import { ToNumber } from '../../config/variables';

export class PaintVariables {
  /** The APP_ID under which the paint app answers /generate. */
  @ToNumber() @IsInt() @Min(0) @Max(1000)
  PAINT_APP_ID = 0;
}

export const paintConfig = defineConfig('paint', PaintVariables, (v) => ({ appId: v.PAINT_APP_ID }));
