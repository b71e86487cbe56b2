import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ApiFailures } from '../common/swagger/api-envelope.decorator';
import type { DrawingState } from '../users/drawing-state';
import { UsersService } from '../users/users.service';
import { DrawingStateDto } from './dto/drawing-state.dto';
import { SaveDto } from './dto/save.dto';
import { StartDto } from './dto/start.dto';

@ApiTags('paint')
@Controller('paint')
export class PaintController {
  constructor(private readonly users: UsersService) {}

  @Post('start')
  @HttpCode(200)
  @ApiOperation({ summary: "Return the user's saved drawing state, creating it on the first visit" })
  @ApiEnvelope(DrawingStateDto)
  @ApiFailures(400)
  start(@Body() body: StartDto): Promise<DrawingState> {
    return this.users.start(body.username);
  }

  @Post('save')
  @HttpCode(200)
  @ApiOperation({ summary: "Save the user's whole drawing state; schemes come back from /paint/start exactly as sent" })
  @ApiEnvelope(null)
  @ApiFailures(400, 404, 413)
  async save(@Body() body: SaveDto, @Req() request: Request): Promise<null> {
    // Validated as SaveDto, but stored as parsed: class instances would carry the DTOs' shape,
    // and what was saved must come back exactly as sent.
    await this.users.save(body.username, (request.body as SaveDto).data);
    return null;
  }
}
