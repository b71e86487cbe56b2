import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { Registry } from 'prom-client';
import { RawResponse } from '../common/raw-response.decorator';
import { ResultCode } from '../common/result-code';
import { envelopeSchema } from '../common/swagger/api-envelope.decorator';
import { MetricsTokenGuard } from './metrics-token.guard';

/** The Prometheus scrape target; scrapers call it every few seconds, so it is never rate limited. */
@ApiTags('operations')
@Controller('metrics')
@SkipThrottle()
@UseGuards(MetricsTokenGuard)
export class MetricsController {
  constructor(private readonly registry: Registry) {}

  @Get()
  @RawResponse()
  @ApiOperation({
    summary: 'Metrics in Prometheus text format',
    description:
      'Process, HTTP, generation, GPT, Stable Diffusion, experiment-record, rate-limit and scheduled-maintenance series of this node; the pool-wide ' +
      'Stable Diffusion gauges come from the shared state with several nodes. With METRICS_TOKEN set it needs ' +
      '`Authorization: Bearer <METRICS_TOKEN>`; METRICS_ENABLED=false removes the route.',
  })
  @ApiBearerAuth('metrics-token')
  // The text type on this answer alone: the refusal below is JSON, in the envelope.
  @ApiOkResponse({
    description: 'Prometheus text exposition format 0.0.4, not in the envelope.',
    content: {
      'text/plain': {
        schema: { type: 'string', example: '# HELP inspilot_generations_total Generations ended…\n# TYPE inspilot_generations_total counter\n' },
      },
    },
  })
  @ApiResponse({
    status: 401,
    description: 'METRICS_TOKEN is set and the bearer token is missing or wrong.',
    schema: envelopeSchema(
      { type: 'object', nullable: true, example: null },
      false,
      ResultCode.Business,
      'The metrics need the header Authorization: Bearer <METRICS_TOKEN>.',
    ),
  })
  async metrics(@Res({ passthrough: true }) response: Response): Promise<string> {
    response.setHeader('Content-Type', this.registry.contentType);
    return this.registry.metrics();
  }
}
