import { IsBoolean, IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { defineConfig } from './define-config';
import { SIZE, SIZE_MESSAGE, splitList, ToBoolean, ToNumber } from './variables';

export class ServerVariables {
  /** development (templates reload on change, readable logs), production or test. */
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  @ToNumber() @IsInt() @Min(0) @Max(65535)
  PORT = 5000;

  @IsString()
  HOST = '0.0.0.0';

  /** Largest body of every route except the two below. */
  @Matches(SIZE, { message: SIZE_MESSAGE })
  BODY_LIMIT = '1mb';

  /** Largest /paint/save body: the whole drawing state, tens of MB after a long session. */
  @Matches(SIZE, { message: SIZE_MESSAGE })
  PAINT_SAVE_BODY_LIMIT = '100mb';

  /** Largest /generate body: a type-2 request carries every scheme's sketch. */
  @Matches(SIZE, { message: SIZE_MESSAGE })
  GENERATE_BODY_LIMIT = '50mb';

  @Matches(/^(\*|https?:\/\/[^,\s]+(\s*,\s*https?:\/\/[^,\s]+)*)$/, {
    message: 'must be * or a comma-separated list of origins such as http://localhost:3000',
  })
  CORS_ORIGINS = 'http://localhost:3000,http://127.0.0.1:3000';

  /**
   * Proxies in front of the API whose X-Forwarded-For is believed, so rate limits count each
   * client, not the proxy: false, true, a hop count, or Express's names (loopback, …).
   */
  @Matches(/^(false|true|\d+|[\w.:/, -]+)$/, { message: 'must be false, true, a hop count or a list of proxy addresses' })
  TRUST_PROXY = 'false';

  /** Swagger UI at /docs and the OpenAPI document at /docs-json. */
  @ToBoolean() @IsBoolean({ message: 'must be true or false' })
  DOCS_ENABLED = true;
}

export interface ServerConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  bodyLimits: { default: string; paintSave: string; generate: string };
  /** `true` allows any origin; otherwise the exact origins allowed. */
  corsOrigins: true | string[];
  trustProxy: boolean | number | string;
  docs: boolean;
}

function trustProxy(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return /^\d+$/.test(value) ? Number(value) : value;
}

export const serverConfig = defineConfig(
  'server',
  ServerVariables,
  (v): ServerConfig => ({
    env: v.NODE_ENV as ServerConfig['env'],
    port: v.PORT,
    host: v.HOST,
    bodyLimits: { default: v.BODY_LIMIT, paintSave: v.PAINT_SAVE_BODY_LIMIT, generate: v.GENERATE_BODY_LIMIT },
    corsOrigins: v.CORS_ORIGINS === '*' ? true : splitList(v.CORS_ORIGINS),
    trustProxy: trustProxy(v.TRUST_PROXY),
    docs: v.DOCS_ENABLED,
  }),
);
