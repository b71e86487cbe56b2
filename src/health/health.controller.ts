import { Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, MongooseHealthIndicator } from '@nestjs/terminus';
import { RawResponse } from '../common/raw-response.decorator';
import { RecordingHealth } from '../experiments/recording-health';
import { ApiEnvelope, ApiFailures } from '../common/swagger/api-envelope.decorator';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mongoose: MongooseHealthIndicator,
    private readonly recording: RecordingHealth,
  ) {}

  @Get('ping')
  @RawResponse()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'Liveness: answers pong' })
  @ApiOkResponse({ schema: { type: 'string', example: 'pong' } })
  ping(): string {
    return 'pong';
  }

  @Post('ping')
  @HttpCode(200)
  @RawResponse()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'Liveness: answers pong' })
  @ApiOkResponse({ schema: { type: 'string', example: 'pong' } })
  pingPost(): string {
    return 'pong';
  }

  @Get('health')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness: the database status and failed experiment-record writes; never calls the model providers' })
  @ApiEnvelope(null, { example: { status: 'ok', info: { database: { status: 'up' }, recording: { status: 'up', errors: 0, lastError: null } }, error: {}, details: { database: { status: 'up' }, recording: { status: 'up', errors: 0, lastError: null } } } })
  @ApiFailures(503)
  check() {
    return this.health.check([() => this.mongoose.pingCheck('database', { timeout: 1500 }), () => this.recording.check()]);
  }
}
