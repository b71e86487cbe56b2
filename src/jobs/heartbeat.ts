import type { MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';

/**
 * Proxies commonly close a connection that has been quiet for 30–60 s, and a step can take that
 * long; a comment line (which clients ignore) every this often keeps an event stream open.
 */
export const HEARTBEAT_MS = 15_000;

/** `events`, with an empty comment whenever `everyMs` passed without anything sent; ends when `events` ends. */
export function withHeartbeat(events: Observable<MessageEvent>, everyMs = HEARTBEAT_MS): Observable<MessageEvent> {
  return new Observable<MessageEvent>((subscriber) => {
    let timer: NodeJS.Timeout | undefined;
    const quiet = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        subscriber.next({ comment: '' });
        quiet();
      }, everyMs);
    };
    quiet();
    const subscription = events.subscribe({
      next: (event) => {
        quiet();
        subscriber.next(event);
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
    return () => {
      clearTimeout(timer);
      subscription.unsubscribe();
    };
  });
}
