import { registerAs } from '@nestjs/config';
import { env } from './env';

/** The APP_ID under which each app answers `/generate`. */
export interface AppsConfig {
  paint: { id: number };
}

export const appsConfig = registerAs(
  'apps',
  (): AppsConfig => ({
    paint: { id: Number(env('PAINT_APP_ID') ?? 0) },
  }),
);
