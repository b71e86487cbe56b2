import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidationError,
  validateSync,
} from 'class-validator';

const urlOptions = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

const toNumber = () => Transform(({ value }) => (value === undefined ? value : Number(value)));

/**
 * Every environment variable the service reads, with the rule it must satisfy.
 * The `@nestjs/config` factories read `process.env` only after this class has accepted it.
 */
export class EnvironmentVariables {
  @IsOptional() @IsIn(['development', 'production', 'test'])
  NODE_ENV?: string;

  @IsOptional() @toNumber()
  @Min(0) @Max(65535) @IsInt()
  PORT?: number;

  @IsOptional() @IsString()
  HOST?: string;

  @IsOptional()
  @Matches(/^mongodb(\+srv)?:\/\/\S+$/, { message: 'must be a mongodb:// or mongodb+srv:// connection string' })
  MONGODB_URI?: string;

  @IsOptional() @toNumber()
  @Min(1000) @Max(600000) @IsInt()
  MONGODB_CONNECT_TIMEOUT_MS?: number;

  @IsOptional()
  @Matches(/^\d+(\.\d+)?\s*(b|kb|mb|gb)$/i, { message: 'must be a size such as 50mb, 512kb or 1gb' })
  BODY_LIMIT?: string;

  @IsOptional()
  @Matches(/^(\*|https?:\/\/[^,\s]+(\s*,\s*https?:\/\/[^,\s]+)*)$/, {
    message: 'must be * or a comma-separated list of origins such as http://localhost:3000',
  })
  CORS_ORIGINS?: string;

  @IsOptional() @toNumber()
  @Min(0) @Max(86400000) @IsInt()
  SKETCH_GC_GRACE_MS?: number;

  @IsOptional() @toNumber()
  @Min(0) @Max(1000) @IsInt()
  PAINT_APP_ID?: number;

  @IsOptional() @IsString()
  OPENAI_API_KEY?: string;

  @IsOptional() @IsUrl(urlOptions, { message: 'must be an http(s) URL' })
  OPENAI_BASE_URL?: string;

  @IsOptional() @IsUrl(urlOptions, { message: 'must be an http(s) URL' })
  AZURE_OPENAI_ENDPOINT?: string;

  @IsOptional() @IsString()
  AZURE_OPENAI_API_KEY?: string;

  @IsOptional() @IsString()
  AZURE_OPENAI_DEPLOYMENT?: string;

  @IsOptional() @IsString()
  OPENAI_API_VERSION?: string;

  @Matches(/^https?:\/\/[^,\s]+(\s*,\s*https?:\/\/[^,\s]+)*$/, {
    message: 'is required: a comma-separated list of AUTOMATIC1111 WebUI base URLs such as http://127.0.0.1:7860',
  })
  SD_ENDPOINTS?: string;

  @IsOptional() @IsString()
  GPT_CHAT_MODEL?: string;

  @IsOptional() @IsString()
  GPT_VISION_MODEL?: string;

  @IsOptional() @toNumber()
  @Min(1) @Max(1000) @IsInt()
  GPT_CONCURRENCY?: number;

  @IsOptional() @toNumber()
  @Min(100) @Max(3600000) @IsInt()
  GPT_TIMEOUT_MS?: number;

  @IsOptional() @toNumber()
  @Min(1) @Max(10) @IsInt()
  GPT_MAX_ATTEMPTS?: number;

  @IsOptional() @toNumber()
  @Min(0) @Max(60000) @IsInt()
  GPT_RETRY_BASE_MS?: number;

  @IsOptional() @toNumber()
  @Min(1) @Max(64) @IsInt()
  SD_SLOTS_PER_INSTANCE?: number;

  @IsOptional() @toNumber()
  @Min(100) @Max(3600000) @IsInt()
  SD_TIMEOUT_MS?: number;

  @IsOptional() @toNumber()
  @Min(10) @Max(3600000) @IsInt()
  SD_PROBE_INTERVAL_MS?: number;

  @IsOptional() @toNumber()
  @Min(1) @Max(10) @IsInt()
  SD_MAX_ATTEMPTS?: number;

  @IsOptional() @IsString()
  PROMPTS_DIR?: string;

  @IsOptional()
  @Matches(/^\S{16,}$/, { message: 'must be at least 16 characters without spaces' })
  RESEARCH_API_KEY?: string;

  @IsOptional() @toNumber()
  @Min(0) @Max(36500) @IsInt()
  EXPERIMENT_IMAGE_RETENTION_DAYS?: number;

  @IsOptional() @toNumber()
  @Min(0) @Max(600000) @IsInt()
  RECORD_FLUSH_TIMEOUT_MS?: number;

  @IsOptional() @IsIn(['true', 'false'])
  PROMPTS_WATCH?: string;
}

/** GPT needs either an OpenAI key or a complete Azure deployment; which one decides what is missing. */
function describeMissingProvider(env: Record<string, unknown>): string[] {
  const azure = ['AZURE_OPENAI_ENDPOINT', 'AZURE_OPENAI_API_KEY', 'AZURE_OPENAI_DEPLOYMENT'];
  if (azure.some((name) => env[name] !== undefined)) {
    return azure
      .filter((name) => env[name] === undefined)
      .map((name) => `  - ${name}: is required when any AZURE_OPENAI_* variable is set (Azure OpenAI)`);
  }
  if (env.OPENAI_API_KEY === undefined) {
    return ['  - OPENAI_API_KEY: is required (or set AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and AZURE_OPENAI_DEPLOYMENT for Azure OpenAI)'];
  }
  return [];
}

function describe(errors: ValidationError[], raw: Record<string, unknown>): string[] {
  return errors.map((error) => {
    const value = raw[error.property];
    const got = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
    const rules = Object.values(error.constraints ?? {}).join('; ');
    return `  - ${error.property}: ${rules}${got}`;
  });
}

/**
 * Validates the whole environment at once and throws one error that lists every
 * offending variable, so an operator fixes them in one pass rather than one per restart.
 */
export function validateEnv(env: Record<string, unknown>): Record<string, unknown> {
  // `FOO=` in a .env file means "not set", not "set to nothing".
  const present = Object.fromEntries(
    Object.entries(env)
      .filter(([, value]) => !(typeof value === 'string' && value.trim() === ''))
      .map(([key, value]) => [key, typeof value === 'string' ? value.trim() : value]),
  );
  const parsed = plainToInstance(EnvironmentVariables, present);
  const errors = validateSync(parsed, { whitelist: false, stopAtFirstError: true });
  const problems = [...describe(errors, present), ...describeMissingProvider(present)];
  if (problems.length > 0) {
    throw new ConfigurationError(problems);
  }
  return present;
}

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.join('\n')}\nSee .env.example for every variable and its default.`);
    this.name = 'ConfigurationError';
  }
}
