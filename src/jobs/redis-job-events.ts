import { Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Observable } from 'rxjs';
import type { GenerationConfig } from '../config/generation.config';
import { whenReady } from '../cluster/redis-connection';
import { ServiceUnavailableError } from '../common/errors';
import { isFinal, JobEvent, JobEventData, JobEventName } from './job-event';
import { JobEvents, JobStream } from './job-events.service';

/** The Redis stream of a job's events. */
export const jobEventsKey = (jobId: string) => `inspilot:job:events:${jobId}`;

/**
 * Entries a job's stream keeps at most: image events carry base64, so a runaway job must not
 * fill Redis; a real job has far fewer events than this.
 */
export const JOB_EVENTS_MAXLEN = 1000;

/** How long a follower blocks on its stream before checking that the stream is still there. */
const BLOCK_MS = 5000;

/**
 * Event n is the stream entry `n-1`; the entry `0-1` marks the log open, so that a job with
 * no event yet is told apart from one whose log is not kept.
 */
const entryId = (n: number) => `${n}-1`;
const eventNumber = (entry: string) => Number(entry.split('-')[0]);

type Entry = [id: string, fields: string[]];

function toEvent([id, fields]: Entry): JobEvent | undefined {
  const n = eventNumber(id);
  if (n === 0) return undefined;
  const field = (name: string) => fields[fields.indexOf(name) + 1];
  return { id: n, event: field('event'), data: JSON.parse(field('data')) as unknown } as JobEvent;
}

/**
 * The log of jobs shared by every node through Redis: the node running a job appends each
 * event to the job's stream, and a follower on any node reads the events so far, then blocks
 * for new ones on a connection of its own (a blocking read holds its connection). A job's
 * stream lives its run (at most GENERATION_DEADLINE_MS) and JOB_EVENTS_RETENTION_MS after.
 */
export class RedisJobEvents extends JobEvents implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisJobEvents.name);
  /** The jobs whose logs this node writes, with the number of their last event. */
  private readonly writing = new Map<string, number>();
  private readonly followers = new Set<{ stop: () => void }>();

  constructor(
    private readonly redis: Redis,
    private readonly config: GenerationConfig,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  open(jobId: string): void {
    if (this.writing.has(jobId)) return;
    this.writing.set(jobId, 0);
    const key = jobEventsKey(jobId);
    this.write(jobId, this.redis.multi().xadd(key, entryId(0), 'open', '1').pexpire(key, this.config.deadlineMs + this.config.eventsRetentionMs).exec());
  }

  publish<K extends JobEventName>(jobId: string, event: K, data: JobEventData[K]): void {
    const last = this.writing.get(jobId);
    if (last === undefined) return;
    const n = last + 1;
    const key = jobEventsKey(jobId);
    const final = isFinal({ event });
    if (final) this.writing.delete(jobId);
    else this.writing.set(jobId, n);
    const write = this.redis.multi().xadd(key, 'MAXLEN', JOB_EVENTS_MAXLEN, entryId(n), 'event', event, 'data', JSON.stringify(data));
    if (final) write.pexpire(key, Math.max(1, this.config.eventsRetentionMs));
    this.write(jobId, write.exec());
  }

  async follow(jobId: string, afterId: number): Promise<JobStream | undefined> {
    const key = jobEventsKey(jobId);
    const [last] = (await this.redis.xrevrange(key, '+', '-', 'COUNT', 1).catch(() => {
      throw new ServiceUnavailableError(`The events of job ${jobId} are kept in Redis, which does not answer; try again shortly.`);
    })) as Entry[];
    if (!last) return undefined;
    const lastEvent = toEvent(last);
    const ended = lastEvent !== undefined && isFinal(lastEvent);
    return {
      exhausted: ended && eventNumber(last[0]) <= afterId,
      events: new Observable<JobEvent>((subscriber) => {
        const reader = this.redis.duplicate();
        reader.on('error', () => undefined);
        const follower = {
          stop: () => {
            stopped = true;
            reader.disconnect();
          },
        };
        let stopped = false;
        this.followers.add(follower);
        const read = async () => {
          let after = entryId(afterId);
          await whenReady(reader, this.timeoutMs);
          while (!stopped) {
            const answer = (await reader.xread('COUNT', 100, 'BLOCK', BLOCK_MS, 'STREAMS', key, after)) as [string, Entry[]][] | null;
            if (stopped) return;
            if (!answer) {
              // Dropped, or expired with its job never ended (its node died): nothing will follow.
              if (!(await reader.exists(key))) return;
              continue;
            }
            for (const entry of answer[0][1]) {
              after = entry[0];
              const event = toEvent(entry);
              if (!event) continue;
              subscriber.next(event);
              if (isFinal(event)) return;
            }
          }
        };
        read()
          .catch((error: Error) => {
            // The stream ends; an EventSource reconnects with Last-Event-ID and resumes where it was.
            if (!stopped) this.logger.warn(`The events of job ${jobId} could not be read from Redis: ${error.message}`);
          })
          .finally(() => {
            this.followers.delete(follower);
            reader.disconnect();
            subscriber.complete();
          });
        return () => follower.stop();
      }),
    };
  }

  drop(jobId: string): void {
    this.writing.delete(jobId);
    this.write(jobId, this.redis.del(jobEventsKey(jobId)));
  }

  /** Ends every stream still open, so the server's connections can close. */
  onApplicationShutdown(): void {
    for (const follower of this.followers) follower.stop();
  }

  private write(jobId: string, done: Promise<unknown>): void {
    // Its followers on other nodes miss the event; the job itself goes on, and its record keeps everything.
    done.catch((error: Error) => this.logger.warn(`An event of job ${jobId} could not be written to Redis: ${error.message}`));
  }
}
