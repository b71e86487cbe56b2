/**
 * A client of Server-Sent Events (the WHATWG event-stream format) over fetch, for the tests,
 * the benchmark and the demo: each event with its id, name, data and the moment it arrived.
 */
import { performance } from 'node:perf_hooks';

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
  /** performance.now() when the event was complete. */
  at: number;
}

/** The events of a stream body, as they arrive. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event: { id?: string; event?: string; data?: string[] } = {};
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (event.data) yield { id: event.id, event: event.event ?? 'message', data: event.data.join('\n'), at: performance.now() };
          event = {};
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') (event.data ??= []).push(text);
        else if (field === 'event') event.event = text;
        else if (field === 'id') event.id = text;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

export interface SseAnswer {
  status: number;
  headers: Headers;
  /** The events, or for an answer that is not a stream, its JSON body. */
  events: SseEvent[];
  body?: unknown;
}

/** Reads a whole stream until the server ends it (or `until` says enough, or `signal` aborts). */
export async function collectSse(
  url: string,
  options: { headers?: Record<string, string>; signal?: AbortSignal; until?: (event: SseEvent) => boolean } = {},
): Promise<SseAnswer> {
  const controller = new AbortController();
  options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
  const response = await fetch(url, { headers: { Accept: 'text/event-stream', ...options.headers }, signal: controller.signal });
  if (response.status === 204) return { status: 204, headers: response.headers, events: [] };
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
    return { status: response.status, headers: response.headers, events: [], body: await response.json() };
  }
  const events: SseEvent[] = [];
  try {
    for await (const event of readSse(response.body!)) {
      events.push(event);
      if (options.until?.(event)) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    controller.abort();
  }
  return { status: response.status, headers: response.headers, events };
}
