import { Module } from '@nestjs/common';
import { DispatchModule } from '../dispatch/dispatch.module';
import { GenerateController } from '../dispatch/generate.controller';
import { EngineModule } from '../engine/engine.module';
import { ExperimentsModule } from '../experiments/experiments.module';
import { DuplicateRuns } from './duplicate-runs';
import { InMemoryJobEvents, JobEvents } from './job-events.service';
import { JobRecords } from './job-records';
import { JobStreamGuard } from './job-stream.guard';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';

/**
 * Every accepted generation runs as a job, whose record is its experiment record: /generate
 * waits for a job's answer, /jobs starts one and follows it (status, events, cancel).
 */
@Module({
  imports: [DispatchModule, EngineModule, ExperimentsModule],
  controllers: [GenerateController, JobsController],
  providers: [JobsService, JobRecords, DuplicateRuns, JobStreamGuard, { provide: JobEvents, useClass: InMemoryJobEvents }],
})
export class JobsModule {}
