import { Module } from '@nestjs/common';
import { DispatchModule } from '../dispatch/dispatch.module';
import { GenerateController } from '../dispatch/generate.controller';
import { EngineModule } from '../engine/engine.module';
import { ExperimentsModule } from '../experiments/experiments.module';
import { DuplicateRuns } from './duplicate-runs';
import { ClusterNode } from '../cluster/cluster-node.service';
import { generationConfig, type GenerationConfig } from '../config/generation.config';
import { JobCancelChannel } from './job-cancel-channel';
import { InMemoryJobEvents, JobEvents } from './job-events.service';
import { JobRecords } from './job-records';
import { JobStreamGuard } from './job-stream.guard';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';
import { RedisJobEvents } from './redis-job-events';

/** Among several nodes (REDIS_URL), a job's events are shared through Redis; alone, they stay in memory. */
const jobEventsProvider = {
  provide: JobEvents,
  inject: [ClusterNode, generationConfig.KEY],
  useFactory: (node: ClusterNode, config: GenerationConfig): JobEvents =>
    node.redis ? new RedisJobEvents(node.redis, config, node.config.timeoutMs) : new InMemoryJobEvents(config),
};

/**
 * Every accepted generation runs as a job, whose record is its experiment record: /generate
 * waits for a job's answer, /jobs starts one and follows it (status, events, cancel).
 */
@Module({
  imports: [DispatchModule, EngineModule, ExperimentsModule],
  controllers: [GenerateController, JobsController],
  providers: [JobsService, JobRecords, DuplicateRuns, JobStreamGuard, JobCancelChannel, jobEventsProvider],
})
export class JobsModule {}
