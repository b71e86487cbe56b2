import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { Request, Response } from 'express';
import { UnauthorizedError } from '../common/errors';
import { researchKeyMatches } from '../common/research-key';
import { metricsConfig } from '../config/metrics.config';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** With METRICS_TOKEN set, /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`. */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(@Inject(metricsConfig.KEY) private readonly config: ConfigType<typeof metricsConfig>) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.config.token) return true;
    const http = context.switchToHttp();
    const given = BEARER.exec(http.getRequest<Request>().header('authorization') ?? '')?.[1];
    if (researchKeyMatches(given, this.config.token)) return true;
    http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
    throw new UnauthorizedError('The metrics need the header Authorization: Bearer <METRICS_TOKEN>.');
  }
}
