import { ExecutionContext, Module } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { ThrottlerModule, ThrottlerModuleOptions } from '@nestjs/throttler';
import { RateLimitConfig, rateLimitConfig } from '../config/rate-limit.config';
import { rateLimitGroup } from './rate-limit.decorator';
import { RateLimitGuard } from './rate-limit.guard';

const SETTING = { default: 'RATE_LIMIT', generate: 'RATE_LIMIT_GENERATE' } as const;

function rateLimitOptions(config: RateLimitConfig, reflector: Reflector): ThrottlerModuleOptions {
  const group = (context: ExecutionContext) => rateLimitGroup(reflector, context);
  const limit = (context: ExecutionContext) => (group(context) === 'generate' ? config.generate : config.default);
  return {
    throttlers: [{ ttl: config.windowMs, limit }],
    // One count per client address and group, whichever route of the group it calls: the
    // limit is what one client may ask of the service, not of each route.
    generateKey: (context, tracker) => `${group(context)}:${tracker}`,
    errorMessage: (context, detail) =>
      `Too many requests from this address: at most ${detail.limit} per ${detail.ttl / 1000} s ` +
      `(${SETTING[group(context)]}); retry in ${detail.timeToBlockExpire} s.`,
  };
}

/**
 * Per-client rate limits on every route: RATE_LIMIT_GENERATE on the routes marked
 * `@RateLimit('generate')`, RATE_LIMIT on the others, per RATE_LIMIT_WINDOW_MS, keyed by the
 * client's address (`request.ip`, behind TRUST_PROXY). A refused request answers 429 with
 * `Retry-After`; routes marked `@SkipThrottle()` are never limited.
 */
@Module({
  imports: [ThrottlerModule.forRootAsync({ inject: [rateLimitConfig.KEY, Reflector], useFactory: rateLimitOptions })],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
})
export class RateLimitModule {}
