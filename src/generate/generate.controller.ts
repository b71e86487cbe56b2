import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ApiFailures } from '../common/swagger/api-envelope.decorator';
import { GenerateDto } from './generate.dto';
import { GenerateService } from './generate.service';

@ApiTags('generate')
@Controller('generate')
export class GenerateController {
  constructor(private readonly generator: GenerateService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Generate creative stimuli with the pipeline `type` of the app `appid`',
    description: 'A generation chains GPT and Stable Diffusion calls and may take minutes.',
  })
  @ApiHeader({ name: 'X-InsPilot-User', required: false, description: 'The participant, when the body has no username.' })
  @ApiEnvelope(null, {
    description: 'The pipeline result; see each type in the README.',
    example: { count: 1, result: [{ type: 0, displayType: 'sequence', items: [] }] },
  })
  @ApiFailures(400, 502, 503, 504)
  generate(@Body() body: GenerateDto, @Headers('x-inspilot-user') userHeader?: string): Promise<unknown> {
    return this.generator.generate({ ...body, username: body.username ?? (userHeader?.trim() || undefined) });
  }
}
