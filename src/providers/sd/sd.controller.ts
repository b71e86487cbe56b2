import { Controller, Get, Headers, Inject } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ApiExtraModels, ApiHeader, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { researchKeyMatches } from '../../common/research-key';
import { ApiEnvelope, ApiFailures } from '../../common/swagger/api-envelope.decorator';
import { researchConfig } from '../../config/research.config';
import { SdPoolService } from './sd-pool.service';
import { SdInstanceDetailsDto, SdInstanceStatusDto, SdPoolStatusDto } from './sd-status.dto';

@ApiTags('sd')
@Controller('sd')
export class SdController {
  constructor(
    private readonly pool: SdPoolService,
    @Inject(researchConfig.KEY) private readonly research: ConfigType<typeof researchConfig>,
  ) {}

  @Get('status')
  @ApiOperation({
    summary: 'The Stable Diffusion pool: each instance with its health and load, and the queued images',
    description:
      'Open to anyone: instances are named `sd-1`, `sd-2`, … in SD_ENDPOINTS order, without addresses or error texts. ' +
      'With a valid `X-API-Key` (RESEARCH_API_KEY) each instance also shows its `url` and `lastError`. ' +
      'With several nodes (REDIS_URL) every node shows the same shared pool, and answers 503 while Redis is unreachable.',
  })
  // Either requirement: the key is optional here and only adds details.
  @ApiSecurity({})
  @ApiSecurity('research-key')
  @ApiHeader({ name: 'x-api-key', required: false, description: 'RESEARCH_API_KEY: adds each instance url and last error.' })
  @ApiExtraModels(SdInstanceStatusDto, SdInstanceDetailsDto)
  @ApiFailures(429, 503)
  @ApiEnvelope(SdPoolStatusDto, { description: 'Success; instances in the details shape when the X-API-Key is valid.' })
  status(@Headers('x-api-key') key?: string): Promise<SdPoolStatusDto> {
    return this.pool.status(researchKeyMatches(key, this.research.apiKey));
  }
}
