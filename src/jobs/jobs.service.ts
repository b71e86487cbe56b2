import { Injectable } from '@nestjs/common';
import { from } from 'rxjs';
import { ClusterNode } from '../cluster/cluster-node.service';
import { ConflictError, ServiceUnavailableError } from '../common/errors';
import { GenerateRequest, GenerateService } from '../dispatch/generate.service';
import { GenerationEngine } from '../engine/generation-engine.service';
import type { RunEvent } from '../engine/run-events';
import { describeError } from '../experiments/experiment-recorder';
import { ExperimentsService } from '../experiments/experiments.service';
import type { JobDto } from './dto/job.dto';
import { DuplicateRuns } from './duplicate-runs';
import { JobCancelChannel } from './job-cancel-channel';
import { JobEvents, JobStream } from './job-events.service';
import { jobFailure } from './job-failure';
import { jobKey, Requester } from './job-key';
import { JobRecords } from './job-records';
import { RunningJob } from './running-job';

/** How long a DELETE waits for the node running the job to record it cancelled. */
const REMOTE_CANCEL_WAIT_MS = 10_000;
const REMOTE_CANCEL_POLL_MS = 100;
const ACTIVE = new Set(['queued', 'running']);

/**
 * Runs every accepted generation as a job: its record is the job, its events go to JobEvents
 * as they happen, and an identical request in flight is joined rather than run again.
 * /generate waits for a job's answer (and gives it up when its client goes); POST /jobs
 * follows it by id.
 */
@Injectable()
export class JobsService {
  /** The jobs whose runs are in flight in this process. */
  private readonly running = new Map<string, RunningJob>();

  constructor(
    private readonly checks: GenerateService,
    private readonly engine: GenerationEngine,
    private readonly experiments: ExperimentsService,
    private readonly events: JobEvents,
    private readonly duplicates: DuplicateRuns,
    private readonly records: JobRecords,
    private readonly node: ClusterNode,
    private readonly cancels: JobCancelChannel,
  ) {
    cancels.onCancel((id, reason) => this.running.get(id)?.cancel(reason));
  }

  /**
   * The job of a POST /jobs: started, or the identical one in flight joined. Answers once
   * its record exists, so that the job can be read by its id.
   */
  async create(request: GenerateRequest, requester: Requester): Promise<RunningJob> {
    const job = await this.submit(request, requester, true);
    if (!(await job.recorder.opened)) {
      job.abandon('its record could not be written');
      throw new ServiceUnavailableError('The job could not be recorded: the database is unavailable; try again shortly.');
    }
    return job;
  }

  /**
   * The answer of a /generate: the job's result, as /generate always answered it. `onLeave`
   * receives what to call if the caller goes away first; the job is cancelled when nobody
   * else waits for it.
   */
  async answer(request: GenerateRequest, requester: Requester, onLeave: (leave: () => void) => void): Promise<unknown> {
    const job = await this.submit(request, requester, false);
    onLeave(job.wait());
    return job.result;
  }

  async view(id: string): Promise<JobDto> {
    const job = this.running.get(id);
    if (!job) return this.records.view(id);
    return {
      jobId: id,
      app: job.app.id,
      type: job.pipeline.type,
      status: job.status,
      createdAt: job.createdAt,
      startedAt: job.startedAt ?? null,
      endedAt: null,
      requests: job.requests,
    };
  }

  /**
   * Cancels a job in flight and answers its view once its run has stopped; a job that already
   * ended is a conflict. A job another node runs is cancelled there; one whose node is gone
   * can never end, and is answered interrupted.
   */
  async cancel(id: string): Promise<JobDto> {
    const reason = `cancelled with DELETE /jobs/${id}`;
    const job = this.running.get(id);
    if (job) {
      job.cancel(reason);
      await job.result.catch(() => undefined);
      return this.records.view(id);
    }
    const { status, nodeId } = await this.records.owner(id);
    if (!ACTIVE.has(status)) throw new ConflictError(`Job ${id} has already ended (${status}); there is nothing to cancel.`);
    if (!this.node.clustered || !nodeId || nodeId === this.node.id) {
      throw new ConflictError(`Job ${id} is not running in this process; it can only be cancelled where it runs.`);
    }
    if (!(await this.node.isAlive(nodeId))) {
      await this.experiments.markNodeInterrupted(nodeId);
      return this.records.view(id);
    }
    await this.cancels.send(id, nodeId, reason);
    return this.whenEnded(id);
  }

  /** The job's view once its record has left queued and running, waiting at most REMOTE_CANCEL_WAIT_MS. */
  private async whenEnded(id: string): Promise<JobDto> {
    const until = Date.now() + REMOTE_CANCEL_WAIT_MS;
    for (;;) {
      const view = await this.records.view(id);
      if (!ACTIVE.has(view.status)) return view;
      if (Date.now() >= until) {
        throw new ServiceUnavailableError(`Job ${id} was asked to stop, but the node running it did not record it stopped within ${REMOTE_CANCEL_WAIT_MS} ms; read it again shortly.`);
      }
      await new Promise((resolve) => setTimeout(resolve, REMOTE_CANCEL_POLL_MS));
    }
  }

  /** The job's events after `afterId`, live while it runs; once its live log is gone, replayed from its record. */
  async follow(id: string, afterId: number): Promise<JobStream> {
    const live = await this.events.follow(id, afterId);
    if (live) return live;
    const events = (await this.records.replay(id)).filter((event) => event.id > afterId);
    return { events: from(events), exhausted: events.length === 0 };
  }

  /** Joins the identical run in flight, or checks the request and starts its run. */
  private async submit(request: GenerateRequest, requester: Requester, kept: boolean): Promise<RunningJob> {
    const key = this.duplicates.enabled ? jobKey(request, requester) : undefined;
    const same = this.duplicates.find(key);
    if (same) return this.join(same, kept);
    const accepted = await this.checks.check(request);
    // An identical request may have started its run while this one was being checked.
    const raced = this.duplicates.find(key);
    if (raced) return this.join(raced, kept);

    const { app, pipeline, input, record } = accepted;
    const { username } = request;
    const recorder = this.experiments.begin(record, { app, pipeline, username });
    const job = new RunningJob(String(record.id), app, pipeline, recorder, key, kept);
    this.running.set(job.id, job);
    this.duplicates.add(job);
    this.events.open(job.id);
    job.result = this.engine.run(app, pipeline, input, { username, recorder, signal: job.signal, observer: (event) => this.observe(job, event) }).then(
      (output) => {
        this.ended(job);
        this.events.publish(job.id, 'done', { data: output as object });
        this.forgetEvents(job);
        return output;
      },
      (error: Error) => {
        this.ended(job);
        this.events.publish(job.id, 'failed', jobFailure(describeError(error)));
        this.forgetEvents(job);
        throw error;
      },
    );
    // Its callers handle the failure; a job nobody waits for must not be an unhandled rejection.
    job.result.catch(() => undefined);
    return job;
  }

  private join(job: RunningJob, kept: boolean): RunningJob {
    job.joined(kept);
    return job;
  }

  /** Before its end is published: whoever reads the job after its last event reads the record. */
  private ended(job: RunningJob): void {
    job.ended();
    this.running.delete(job.id);
    this.duplicates.remove(job);
  }

  /**
   * A job only /generate asked for has answered its callers: nobody follows it by id, so its
   * events need not stay in memory (a stream of it is replayed from its record).
   */
  private forgetEvents(job: RunningJob): void {
    if (!job.kept) this.events.drop(job.id);
  }

  private observe(job: RunningJob, event: RunEvent): void {
    switch (event.type) {
      case 'started':
        return job.started(event.at);
      case 'step':
        return this.events.publish(job.id, 'step', { name: event.name, kind: event.kind, status: event.status, at: event.at.toISOString() });
      case 'image':
        return this.events.publish(job.id, 'image', { step: event.step, index: event.index, imageId: event.image.imageId, image: event.image.image });
      case 'creative':
        return this.events.publish(job.id, 'creative', { index: event.index, creative: event.creative as object });
    }
  }
}
