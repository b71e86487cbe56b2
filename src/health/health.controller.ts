import { Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, MongooseHealthIndicator } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { RawResponse } from '../common/raw-response.decorator';
import { ApiEnvelope, ApiFailures } from '../common/swagger/api-envelope.decorator';
import { RecordingHealth } from '../experiments/recording-health';
import { GenerateRefusals } from '../dispatch/generate-refusals';

/** Liveness and readiness probes: monitors call them often, so they are never rate limited. */
@ApiTags('health')
@Controller()
@SkipThrottle()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mongoose: MongooseHealthIndicator,
    private readonly recording: RecordingHealth,
    private readonly refusals: GenerateRefusals,
  ) {}

  @Get('ping')
  @RawResponse()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'Liveness: answers pong' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The text `pong`, not in the envelope.', schema: { type: 'string', example: 'pong' } })
  ping(): string {
    return 'pong';
  }

  @Post('ping')
  @HttpCode(200)
  @RawResponse()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'Liveness: answers pong' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The text `pong`, not in the envelope.', schema: { type: 'string', example: 'pong' } })
  pingPost(): string {
    return 'pong';
  }

  @Get('health')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({
    summary:
      'Readiness: the database status, failed experiment-record writes and refused generations; never calls the model providers',
  })
  @ApiEnvelope(null, {
    example: {
      status: 'ok',
      info: {
        database: { status: 'up' },
        recording: { status: 'up', errors: 0, lastError: null },
        generate: { status: 'up', refused: 0 },
      },
      error: {},
      details: {
        database: { status: 'up' },
        recording: { status: 'up', errors: 0, lastError: null },
        generate: { status: 'up', refused: 0 },
      },
    },
  })
  @ApiFailures(503)
  check() {
    return this.health.check([
      () => this.mongoose.pingCheck('database', { timeout: 1500 }),
      () => this.recording.check(),
      () => this.refusals.check(),
    ]);
  }
}
