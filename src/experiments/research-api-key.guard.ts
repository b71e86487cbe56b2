import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { Request } from 'express';
import { ForbiddenError, UnauthorizedError } from '../common/errors';
import { researchKeyMatches } from '../common/research-key';
import { researchConfig } from '../config/research.config';

/**
 * The research routes are for researchers: they need the key from RESEARCH_API_KEY in the
 * `X-API-Key` header, and are refused outright when the server has no key configured.
 */
@Injectable()
export class ResearchApiKeyGuard implements CanActivate {
  constructor(@Inject(researchConfig.KEY) private readonly config: ConfigType<typeof researchConfig>) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.config.apiKey) {
      throw new ForbiddenError('The research routes are disabled on this server: set RESEARCH_API_KEY to enable them.');
    }
    const given = context.switchToHttp().getRequest<Request>().header('x-api-key');
    if (!researchKeyMatches(given, this.config.apiKey)) {
      throw new UnauthorizedError('A valid X-API-Key header is required for the research routes.');
    }
    return true;
  }
}
