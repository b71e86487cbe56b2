import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Observable, Subscriber } from 'rxjs';
import { generationConfig } from '../config/generation.config';
import { isFinal, JobEvent, JobEventData, JobEventName } from './job-event';

/** A job's events after a given id, then the live ones. */
export interface JobStream {
  events: Observable<JobEvent>;
  /** The job has ended and no event follows the given id: the stream would be empty. */
  exhausted: boolean;
}

/**
 * The live event log of jobs: per job, its events so far with their ids, and whoever follows
 * it. A finished job's log is kept for a while (JOB_EVENTS_RETENTION_MS) for late subscribers,
 * then dropped: its stream is replayed from its record after that (see job-replay). Abstract so
 * that a log shared by several processes (pub/sub) can take this one's place.
 */
export abstract class JobEvents {
  /** Starts the log of a job; an open log is left as it is. */
  abstract open(jobId: string): void;
  /** Appends an event; `done` or `failed` ends the log. An event for a log that ended or was never opened is dropped. */
  abstract publish<K extends JobEventName>(jobId: string, event: K, data: JobEventData[K]): void;
  /**
   * The job's events after id `afterId`, then each new one until the log ends, when the
   * observable completes; undefined when the job's log is not kept (any more).
   */
  abstract follow(jobId: string, afterId: number): Promise<JobStream | undefined>;
  /** Forgets a job's log at once (its followers' streams end): its stream is replayed from its record after that. */
  abstract drop(jobId: string): void;
}

interface Log {
  events: JobEvent[];
  ended: boolean;
  followers: Set<Subscriber<JobEvent>>;
}

/** The log of this process's jobs, in its memory. */
@Injectable()
export class InMemoryJobEvents extends JobEvents implements OnApplicationShutdown {
  private readonly logs = new Map<string, Log>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(@Inject(generationConfig.KEY) private readonly config: ConfigType<typeof generationConfig>) {
    super();
  }

  open(jobId: string): void {
    if (!this.logs.has(jobId)) this.logs.set(jobId, { events: [], ended: false, followers: new Set() });
  }

  publish<K extends JobEventName>(jobId: string, event: K, data: JobEventData[K]): void {
    const log = this.logs.get(jobId);
    if (!log || log.ended) return;
    const entry = { id: log.events.length + 1, event, data } as JobEvent;
    log.events.push(entry);
    for (const follower of log.followers) follower.next(entry);
    if (isFinal(entry)) this.end(jobId, log);
  }

  follow(jobId: string, afterId: number): Promise<JobStream | undefined> {
    const log = this.logs.get(jobId);
    if (!log) return Promise.resolve(undefined);
    return Promise.resolve({
      exhausted: log.ended && log.events.length <= afterId,
      events: new Observable<JobEvent>((subscriber) => {
        // Past events first, then live ones: nothing can be published between the two, since both happen in this turn.
        for (let index = Math.max(0, afterId); index < log.events.length; index++) subscriber.next(log.events[index]);
        if (log.ended) {
          subscriber.complete();
          return undefined;
        }
        log.followers.add(subscriber);
        return () => log.followers.delete(subscriber);
      }),
    });
  }

  drop(jobId: string): void {
    const log = this.logs.get(jobId);
    if (!log) return;
    for (const follower of log.followers) follower.complete();
    this.logs.delete(jobId);
  }

  /** Ends every stream still open, so the server's connections can close. */
  onApplicationShutdown(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const [jobId, log] of this.logs) this.end(jobId, log, 0);
  }

  private end(jobId: string, log: Log, keepMs = this.config.eventsRetentionMs): void {
    log.ended = true;
    for (const follower of log.followers) follower.complete();
    log.followers.clear();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.logs.get(jobId) === log) this.logs.delete(jobId);
    }, keepMs);
    timer.unref();
    this.timers.add(timer);
  }
}
