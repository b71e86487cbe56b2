import { firstValueFrom, lastValueFrom, Observable, toArray } from 'rxjs';
import type { GenerationConfig } from '../config/generation.config';
import type { JobEvent } from './job-event';
import { InMemoryJobEvents } from './job-events.service';

const RETENTION_MS = 5000;
const step = (name: string, status: 'started' | 'succeeded') => ({ name, kind: 'gpt' as const, status, at: '2026-11-20T09:30:00.000Z' });

function logOf(retentionMs = RETENTION_MS) {
  return new InMemoryJobEvents({ deadlineMs: 1000, dedupe: true, eventsRetentionMs: retentionMs } as GenerationConfig);
}

/** Everything `observable` emits until it completes. */
const all = (stream: { events: Observable<JobEvent> } | undefined) => lastValueFrom(stream!.events.pipe(toArray()));

describe('InMemoryJobEvents', () => {
  afterEach(() => jest.useRealTimers());

  it('numbers each job\'s events from 1 in order', async () => {
    const events = logOf();
    events.open('a');
    events.open('b');
    events.publish('a', 'step', step('products', 'started'));
    events.publish('b', 'step', step('names', 'started'));
    events.publish('a', 'step', step('products', 'succeeded'));
    events.publish('a', 'done', { data: { count: 0 } });
    expect((await all(await events.follow('a', 0))).map((event) => [event.id, event.event])).toEqual([
      [1, 'step'],
      [2, 'step'],
      [3, 'done'],
    ]);
    const b: JobEvent[] = [];
    (await events.follow('b', 0))!.events.subscribe((event) => b.push(event));
    expect(b).toEqual([{ id: 1, event: 'step', data: step('names', 'started') }]);
  });

  it('gives a late follower the events so far, then the live ones, and completes at the end', async () => {
    const events = logOf();
    events.open('job');
    events.publish('job', 'step', step('products', 'started'));
    const seen: number[] = [];
    let completed = false;
    (await events.follow('job', 0))!.events.subscribe({ next: (event) => seen.push(event.id), complete: () => (completed = true) });
    expect(seen).toEqual([1]);
    events.publish('job', 'step', step('products', 'succeeded'));
    expect(seen).toEqual([1, 2]);
    expect(completed).toBe(false);
    events.publish('job', 'failed', { code: 2, message: 'GPT step "scenes" failed' });
    expect(seen).toEqual([1, 2, 3]);
    expect(completed).toBe(true);
  });

  it('resumes after the id it is given, live or ended', async () => {
    const events = logOf();
    events.open('job');
    events.publish('job', 'step', step('products', 'started'));
    events.publish('job', 'step', step('products', 'succeeded'));
    const live = (await events.follow('job', 1))!;
    expect(live.exhausted).toBe(false);
    const first = firstValueFrom(live.events);
    expect((await first).id).toBe(2);
    events.publish('job', 'done', { data: {} });
    expect((await all(await events.follow('job', 2))).map((event) => event.id)).toEqual([3]);
    expect(await all(await events.follow('job', 3))).toEqual([]);
    expect((await events.follow('job', 3))!.exhausted).toBe(true);
    expect((await events.follow('job', 2))!.exhausted).toBe(false);
    expect(await all(await events.follow('job', 99))).toEqual([]);
    expect((await all(await events.follow('job', -4))).map((event) => event.id)).toEqual([1, 2, 3]);
  });

  it('ignores events after the end and for a job it never opened', async () => {
    const events = logOf();
    events.publish('never', 'step', step('products', 'started'));
    expect(await events.follow('never', 0)).toBeUndefined();
    events.open('job');
    events.publish('job', 'done', { data: {} });
    events.publish('job', 'step', step('late', 'started'));
    events.open('job');
    expect((await all(await events.follow('job', 0))).map((event) => event.event)).toEqual(['done']);
  });

  it('keeps a finished log for the retention time, then drops it; a running one is kept however long it runs', async () => {
    jest.useFakeTimers();
    const events = logOf();
    events.open('running');
    events.open('finished');
    events.publish('finished', 'done', { data: {} });
    jest.advanceTimersByTime(RETENTION_MS - 1);
    expect(await events.follow('finished', 0)).toBeDefined();
    jest.advanceTimersByTime(1);
    expect(await events.follow('finished', 0)).toBeUndefined();
    jest.advanceTimersByTime(RETENTION_MS * 100);
    expect(await events.follow('running', 0)).toBeDefined();
  });

  it('forgets a dropped log at once, ending its streams', async () => {
    const events = logOf();
    events.open('job');
    let completed = false;
    (await events.follow('job', 0))!.events.subscribe({ complete: () => (completed = true) });
    events.drop('job');
    expect(completed).toBe(true);
    expect(await events.follow('job', 0)).toBeUndefined();
    events.drop('never opened');
  });

  it('stops following when the follower unsubscribes, and ends every open stream at shutdown', async () => {
    const events = logOf();
    events.open('job');
    const seen: number[] = [];
    const subscription = (await events.follow('job', 0))!.events.subscribe((event) => seen.push(event.id));
    let completed = false;
    (await events.follow('job', 0))!.events.subscribe({ complete: () => (completed = true) });
    events.publish('job', 'step', step('products', 'started'));
    subscription.unsubscribe();
    events.publish('job', 'step', step('products', 'succeeded'));
    expect(seen).toEqual([1]);
    events.onApplicationShutdown();
    expect(completed).toBe(true);
  });
});
