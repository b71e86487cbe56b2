import { ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

export const RATE_LIMIT_GROUP = 'inspilot:rate-limit-group';

/** The routes counted apart from the rest: `generate` costs model time, so it has its own, lower limit. */
export type RateLimitGroup = 'generate';

/** Counts the route's requests under `group`'s limit (RATE_LIMIT_GENERATE) instead of RATE_LIMIT. */
export const RateLimit = (group: RateLimitGroup) => SetMetadata(RATE_LIMIT_GROUP, group);

/** The limit group of the route `context` calls: `default` unless marked. */
export function rateLimitGroup(reflector: Reflector, context: ExecutionContext): RateLimitGroup | 'default' {
  return reflector.getAllAndOverride<RateLimitGroup | undefined>(RATE_LIMIT_GROUP, [context.getHandler(), context.getClass()]) ?? 'default';
}
