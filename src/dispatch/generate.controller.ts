import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { RateLimit } from '../common/rate-limit.decorator';
import { ApiEnvelope, ApiFailures } from '../common/swagger/api-envelope.decorator';
import { GenerateDto } from './dto/generate.dto';
import { GenerateService } from './generate.service';
import { ParticipantHeader } from './participant-header.decorator';

@ApiTags('generate')
@Controller('generate')
@RateLimit('generate')
export class GenerateController {
  constructor(private readonly generator: GenerateService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Generate creative stimuli with the pipeline `type` of the app `appid`',
    description: 'A generation chains GPT and Stable Diffusion calls and may take minutes.',
  })
  @ApiHeader({ name: 'X-InsPilot-User', required: false, description: 'The participant (1–128 characters), when the body has no username.' })
  @ApiEnvelope(null, {
    description: 'The pipeline result; see each type in the README.',
    example: { count: 1, result: [{ type: 0, displayType: 'sequence', items: [] }] },
  })
  @ApiFailures(400, 413, 429, 502, 503, 504)
  generate(
    @Body() body: GenerateDto,
    @Req() request: Request,
    @ParticipantHeader() userHeader?: string,
  ): Promise<unknown> {
    // Validated as GenerateDto, but the inputs are taken as parsed: they are recorded exactly
    // as sent, keys class-transformer leaves out (`__proto__`, `constructor`) included.
    const { prompts } = request.body as GenerateDto;
    return this.generator.generate({ appid: body.appid, type: body.type, prompts, username: body.username ?? userHeader });
  }
}
