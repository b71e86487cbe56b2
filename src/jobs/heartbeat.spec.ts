import type { MessageEvent } from '@nestjs/common';
import { Subject } from 'rxjs';
import { withHeartbeat } from './heartbeat';

describe('withHeartbeat', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends a comment only after a quiet while, passes the events through, and stops with them', () => {
    const events = new Subject<MessageEvent>();
    const seen: MessageEvent[] = [];
    let completed = false;
    withHeartbeat(events, 1000).subscribe({ next: (event) => seen.push(event), complete: () => (completed = true) });
    jest.advanceTimersByTime(999);
    expect(seen).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(seen).toEqual([{ comment: '' }]);
    jest.advanceTimersByTime(500);
    events.next({ id: '1', type: 'step', data: {} });
    // An event restarts the quiet while.
    jest.advanceTimersByTime(999);
    expect(seen).toEqual([{ comment: '' }, { id: '1', type: 'step', data: {} }]);
    jest.advanceTimersByTime(1);
    expect(seen).toHaveLength(3);
    events.complete();
    expect(completed).toBe(true);
    jest.advanceTimersByTime(10_000);
    expect(seen).toHaveLength(3);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops its timer when its subscriber leaves', () => {
    const subscription = withHeartbeat(new Subject<MessageEvent>(), 1000).subscribe();
    subscription.unsubscribe();
    expect(jest.getTimerCount()).toBe(0);
  });
});
