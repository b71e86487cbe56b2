import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ApiFailures } from '../../common/swagger/api-envelope.decorator';
import { DrawingStateDto } from './dto/drawing-state.dto';
import { SaveDto } from './dto/save.dto';
import { StartDto } from './dto/start.dto';
import { SaveBodyParser } from './save/save-body.parser';
import { PaintStateService } from './state/paint-state.service';

@ApiTags('paint')
@Controller('paint')
export class PaintController {
  constructor(
    private readonly states: PaintStateService,
    private readonly saveBodies: SaveBodyParser,
  ) {}

  @Post('start')
  @HttpCode(200)
  @ApiOperation({ summary: "Return the user's saved drawing state, creating it on the first visit" })
  @ApiEnvelope(DrawingStateDto)
  @ApiFailures(400, 413, 429, 503)
  async start(@Body() body: StartDto, @Res() response: Response): Promise<void> {
    // The answer is written as the stored text, envelope included (see stateResponse); a
    // failure before this point still answers through the exception filter.
    const parts = await this.states.start(body.username);
    response.status(200).type('application/json; charset=utf-8').setHeader('Content-Length', parts.reduce((sum, part) => sum + part.length, 0));
    response.cork();
    for (const part of parts) response.write(part);
    response.end();
  }

  @Post('save')
  @HttpCode(200)
  @ApiOperation({ summary: "Save the user's whole drawing state; schemes come back from /paint/start exactly as sent" })
  @ApiBody({ type: SaveDto })
  @ApiEnvelope(null)
  @ApiFailures(400, 404, 413, 429, 503)
  async save(@Body() body: Buffer): Promise<null> {
    // The body arrives unparsed (see body-parsers): parsing and validating it is done off the event loop.
    await this.states.save(await this.saveBodies.parse(body));
    return null;
  }
}
