import { Body, Controller, Delete, Get, HttpCode, MessageEvent, Param, Post, Req, Res, Sse, UseGuards } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { RateLimit } from '../common/rate-limit.decorator';
import { RawResponse } from '../common/raw-response.decorator';
import { ApiEnvelope, ApiFailures } from '../common/swagger/api-envelope.decorator';
import { GenerateDto } from '../dispatch/dto/generate.dto';
import { ParticipantHeader } from '../dispatch/participant-header.decorator';
import { CreativeEventDto, DoneEventDto, FailedEventDto, ImageEventDto, StepEventDto } from './dto/job-event.dto';
import { JobCreatedDto, JobDto } from './dto/job.dto';
import { JobIdPipe } from './job-id';
import { jobStreamOf, JobStreamGuard } from './job-stream.guard';
import { JobsService } from './jobs.service';
import { requesterOf } from './requester';

const JOB_ID = { name: 'id', description: 'The jobId POST /jobs answered.', example: '6746e0c2a1b2c3d4e5f60718' };

const EVENTS_DESCRIPTION = [
  'Server-Sent Events, each with an increasing `id`, an `event` name and JSON `data`:',
  '',
  '- `step` (StepEventDto) as each step starts and ends;',
  '- `image` (ImageEventDto) as each image is made, with the base64 the result will hold;',
  '- `creative` (CreativeEventDto) as soon as every part of one creative exists, equal to the creative the result holds for its slot;',
  '- then `done` (DoneEventDto: the whole result) or `failed` (FailedEventDto: code and message as the envelope carries them), and the stream ends.',
  '',
  'A late subscriber gets the events so far, then the live ones; with `Last-Event-ID` it resumes after that id. ' +
    "A finished job's stream replays its events and ends. Closing the stream leaves the job running.",
].join('\n');

@ApiTags('jobs')
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Post()
  @HttpCode(202)
  @RateLimit('generate')
  @ApiOperation({
    summary: 'Start a generation as a job (the body of /generate); follow it at /jobs/{id} and /jobs/{id}/events',
    description:
      'Checked and refused as /generate is. An identical request in flight (same app, type, inputs and participant, or with none named ' +
      'the same client address and User-Agent) is joined and answers the same jobId. No disconnect cancels a job; DELETE does.',
  })
  @ApiHeader({ name: 'X-InsPilot-User', required: false, description: 'The participant (1–128 characters), when the body has no username.' })
  @ApiEnvelope(JobCreatedDto, { status: 202, description: 'Accepted; the `Location` header names the job.' })
  @ApiFailures(400, 413, 429, 503)
  async create(
    @Body() body: GenerateDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @ParticipantHeader() userHeader?: string,
  ): Promise<JobCreatedDto> {
    // The inputs as parsed, not as validated (see GenerateController): they are recorded exactly as sent.
    const { prompts } = request.body as GenerateDto;
    const username = body.username ?? userHeader;
    const job = await this.jobs.create({ appid: body.appid, type: body.type, prompts, username }, requesterOf(request, username));
    response.setHeader('Location', `/jobs/${job.id}`);
    return { jobId: job.id };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A job: its status, and once finished its result (the `data` of /generate) or its failure' })
  @ApiParam(JOB_ID)
  @ApiEnvelope(JobDto)
  @ApiFailures(400, 404, 429)
  get(@Param('id', JobIdPipe) id: string): Promise<JobDto> {
    return this.jobs.view(id);
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Cancel a job: its queued images leave the queue, running calls and images are stopped; answers it as `cancelled`',
    description: 'A job that has already ended is a 409 conflict, and stays as it ended.',
  })
  @ApiParam(JOB_ID)
  @ApiEnvelope(JobDto)
  @ApiFailures(400, 404, 409, 429)
  cancel(@Param('id', JobIdPipe) id: string): Promise<JobDto> {
    return this.jobs.cancel(id);
  }

  @Sse(':id/events')
  @RawResponse()
  @UseGuards(JobStreamGuard)
  @ApiOperation({ summary: "A job's events as Server-Sent Events, ending with `done` or `failed`", description: EVENTS_DESCRIPTION })
  @ApiParam(JOB_ID)
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after the event of this id.' })
  @ApiExtraModels(StepEventDto, ImageEventDto, CreativeEventDto, DoneEventDto, FailedEventDto)
  @ApiOkResponse({
    description: 'The event stream (`event:` step, image, creative, then done or failed).',
    content: {
      'text/event-stream': {
        schema: {
          type: 'object',
          description: 'One event: `id: <n>`, `event: <name>`, `data: <JSON>` lines.',
          properties: {
            id: { type: 'integer', example: 1 },
            event: { type: 'string', enum: ['step', 'image', 'creative', 'done', 'failed'], example: 'step' },
            data: {
              oneOf: [StepEventDto, ImageEventDto, CreativeEventDto, DoneEventDto, FailedEventDto].map((dto) => ({ $ref: getSchemaPath(dto) })),
            },
          },
        },
        example: 'id: 1\nevent: step\ndata: {"name":"products","kind":"gpt","status":"started","at":"2026-11-20T09:30:00.123Z"}\n\n',
      },
    },
  })
  @ApiResponse({ status: 204, description: 'The job has ended and the stream has nothing after `Last-Event-ID`: an EventSource stops reconnecting.' })
  @ApiFailures(400, 404, 429)
  events(@Req() request: Request, @Res({ passthrough: true }) response: Response): Observable<MessageEvent> {
    return jobStreamOf(request, response);
  }
}
