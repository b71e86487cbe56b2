import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RateLimit } from '../common/rate-limit.decorator';
import { ApiEnvelope, ApiFailures } from '../common/swagger/api-envelope.decorator';
import { whenClientLeaves } from '../jobs/client-gone';
import { JobsService } from '../jobs/jobs.service';
import { requesterOf } from '../jobs/requester';
import { GenerateDto } from './dto/generate.dto';
import { ParticipantHeader } from './participant-header.decorator';

@ApiTags('generate')
@Controller('generate')
@RateLimit('generate')
export class GenerateController {
  constructor(private readonly jobs: JobsService) {}

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
    @Res({ passthrough: true }) response: Response,
    @ParticipantHeader() userHeader?: string,
  ): Promise<unknown> {
    // Validated as GenerateDto, but the inputs are taken as parsed: they are recorded exactly
    // as sent, keys class-transformer leaves out (`__proto__`, `constructor`) included.
    const { prompts } = request.body as GenerateDto;
    const username = body.username ?? userHeader;
    // A job whose callers have all gone is cancelled: no GPT or GPU time for an answer nobody reads.
    return this.jobs.answer({ appid: body.appid, type: body.type, prompts, username }, requesterOf(request, username), (leave) =>
      whenClientLeaves(request, response, leave),
    );
  }
}
