import { Controller, Get, Param, Query, Res, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { IMAGE_TYPES } from '../common/image-bytes';
import { streamedFile } from '../common/streamed-file';
import { ApiEnvelope, ApiFailures } from '../common/swagger/api-envelope.decorator';
import { ExperimentExportQueryDto, ExperimentFilterDto, ExperimentQueryDto } from './dto/experiment-query.dto';
import { ExperimentDto, ExperimentPageDto } from './dto/experiment.dto';
import { ExperimentExportService } from './export/experiment-export.service';
import { ExperimentFilter } from './experiments.repository';
import { ExperimentsService } from './experiments.service';
import { ResearchApiKeyGuard } from './research-api-key.guard';

export const DEFAULT_PAGE = 50;
const EXPORT_TYPES = { jsonl: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8', zip: 'application/zip' } as const;

/** A binary answer of any of `types` (failures still answer in the JSON envelope). */
const binaryContent = (types: string[]) => Object.fromEntries(types.map((type) => [type, { schema: { type: 'string', format: 'binary' } }]));

export function toFilter(query: ExperimentFilterDto): ExperimentFilter {
  return { username: query.username, appId: query.app, type: query.type, status: query.status, from: query.from, to: query.to };
}

@ApiTags('experiments')
@ApiSecurity('research-key')
@ApiFailures(401, 403, 429, 503)
@UseGuards(ResearchApiKeyGuard)
@Controller('experiments')
export class ExperimentsController {
  constructor(
    private readonly experiments: ExperimentsService,
    private readonly exporter: ExperimentExportService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List experiments, newest first, without steps or images; page with `cursor`' })
  @ApiEnvelope(ExperimentPageDto)
  @ApiFailures(400)
  list(@Query() query: ExperimentQueryDto) {
    return this.experiments.list(toFilter(query), query.limit ?? DEFAULT_PAGE, query.cursor);
  }

  @Get('export')
  @ApiOperation({
    summary: 'Export the matching experiments as a stream: jsonl (one per line), csv (one row per step) or zip (JSONL and every image)',
  })
  @ApiOkResponse({ description: 'The matching experiments, streamed.', content: binaryContent(Object.values(EXPORT_TYPES)) })
  @ApiFailures(400)
  async export(@Query() query: ExperimentExportQueryDto, @Res({ passthrough: true }) response: Response): Promise<StreamableFile> {
    const format = query.format ?? 'jsonl';
    const filter = toFilter(query);
    await this.experiments.flushedMatching(filter);
    const stream = format === 'csv' ? this.exporter.csv(filter) : format === 'zip' ? this.exporter.zip(filter) : this.exporter.jsonl(filter);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    response.setHeader('Cache-Control', 'no-store');
    return streamedFile(stream, { type: EXPORT_TYPES[format], disposition: `attachment; filename="experiments-${stamp}.${format}"` });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One experiment with its full trace: inputs, every step in dependency order, images, output' })
  @ApiEnvelope(ExperimentDto)
  @ApiFailures(400, 404)
  get(@Param('id') id: string) {
    return this.experiments.get(id);
  }

  @Get(':id/images/:imageId')
  @ApiOperation({
    summary: 'An image of an experiment (generated, or a sketch the participant sent), served as the PNG, JPEG or WebP its bytes prove',
  })
  @ApiOkResponse({ description: 'The image, as the type its bytes prove.', content: binaryContent(Object.values(IMAGE_TYPES)) })
  @ApiFailures(400, 404)
  async image(@Param('id') id: string, @Param('imageId') imageId: string, @Res({ passthrough: true }) response: Response) {
    const image = await this.experiments.openImage(id, imageId);
    // An image id names one stored file that never changes.
    response.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
    response.setHeader('ETag', `"${imageId}"`);
    // Whatever a file holds, a browser must neither guess its type nor run anything in it.
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    return streamedFile(image.stream, {
      type: image.mime ?? 'application/octet-stream',
      length: image.length,
      ...(image.mime ? {} : { disposition: `attachment; filename="${imageId}.bin"` }),
    });
  }
}
