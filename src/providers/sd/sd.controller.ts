import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope } from '../../common/swagger/api-envelope.decorator';
import { SdPoolService } from './sd-pool.service';
import type { SdPoolStatus } from './sd.types';

@ApiTags('sd')
@Controller('sd')
export class SdController {
  constructor(private readonly pool: SdPoolService) {}

  @Get('status')
  @ApiOperation({ summary: 'The Stable Diffusion pool: each instance with its health and load, and the queued jobs' })
  @ApiEnvelope(null, {
    example: {
      instances: [{ url: 'http://127.0.0.1:7860', healthy: true, busy: false, running: 0, done: 12, failed: 0, meanMs: 9800, lastError: null }],
      queued: 0,
    },
  })
  status(): SdPoolStatus {
    return this.pool.status();
  }
}
