import type { GenerationApp } from '../engine/generation-app';
import type { AnyPipeline } from '../engine/generation-pipeline';
import type { ExperimentRecorder } from '../experiments/experiment-recorder';

/**
 * A job while its run is in flight in this process: what its view shows before the record is
 * whole, and who still wants its answer. A job asked for with POST /jobs is `kept`: no
 * disconnect cancels it. Otherwise it is cancelled once the last /generate caller waiting for
 * it has gone.
 */
export class RunningJob {
  status: 'queued' | 'running' = 'queued';
  startedAt?: Date;
  /** Requests this run answers: the first and every identical one that joined it. */
  requests = 1;
  /** Settles with the run: its answer, or its failure. */
  result: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private settled = false;
  private readonly controller = new AbortController();

  constructor(
    readonly id: string,
    readonly app: GenerationApp,
    readonly pipeline: AnyPipeline,
    readonly recorder: ExperimentRecorder,
    /** Its key among identical requests, when duplicates share runs. */
    readonly key: string | undefined,
    private keptByJobs: boolean,
  ) {}

  /** When it was accepted, as its record says. */
  get createdAt(): Date {
    return this.recorder.createdAt;
  }

  /** Asked for with POST /jobs: its events are kept after its end for those who follow it. */
  get kept(): boolean {
    return this.keptByJobs;
  }

  /** Aborted when the job is cancelled: the engine gives the run up. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get cancelled(): boolean {
    return this.controller.signal.aborted;
  }

  /** Its run settled: nobody leaving can cancel it any more. */
  ended(): void {
    this.settled = true;
  }

  started(at: Date): void {
    this.status = 'running';
    this.startedAt = at;
  }

  /** An identical request joins the run; `kept` when it came through POST /jobs. */
  joined(kept: boolean): void {
    this.requests += 1;
    this.keptByJobs ||= kept;
    this.recorder.requestsChanged(this.requests);
  }

  /**
   * A caller waits for the answer. Returns what it calls if it stops waiting first (its
   * client went away): the last one to leave a job nobody kept cancels it.
   */
  wait(): () => void {
    this.waiting += 1;
    let left = false;
    return () => {
      if (left || this.settled) return;
      left = true;
      this.waiting -= 1;
      if (this.waiting === 0 && !this.keptByJobs) this.cancel('the client closed the connection');
    };
  }

  /** No POST /jobs keeps the job any more: it is cancelled unless a caller still waits for it. */
  abandon(reason: string): void {
    this.keptByJobs = false;
    if (this.waiting === 0) this.cancel(reason);
  }

  cancel(reason: string): void {
    if (!this.settled) this.controller.abort(new Error(reason));
  }
}
