import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ApiFailures } from '../common/swagger/api-envelope.decorator';
import { ExperimentQueryDto } from './dto/experiment-query.dto';
import { ExperimentPageDto } from './dto/experiment.dto';
import { DEFAULT_PAGE, toFilter } from './experiments.controller';
import { ExperimentsService } from './experiments.service';
import { ResearchApiKeyGuard } from './research-api-key.guard';

@ApiTags('experiments')
@ApiSecurity('research-key')
@ApiFailures(401, 403, 429, 503)
@UseGuards(ResearchApiKeyGuard)
@Controller('users')
export class UsersExperimentsController {
  constructor(private readonly experiments: ExperimentsService) {}

  @Get(':username/experiments')
  @ApiOperation({ summary: "One participant's experiments, newest first (the other filters apply too)" })
  @ApiEnvelope(ExperimentPageDto)
  @ApiFailures(400)
  list(@Param('username') username: string, @Query() query: ExperimentQueryDto) {
    return this.experiments.list(toFilter({ ...query, username }), query.limit ?? DEFAULT_PAGE, query.cursor);
  }
}
