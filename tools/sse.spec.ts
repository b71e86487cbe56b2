import { readSse, type SseEvent } from './sse';

/** A stream body that delivers `chunks` one at a time. */
function body(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function read(chunks: string[]): Promise<Omit<SseEvent, 'at'>[]> {
  const events: Omit<SseEvent, 'at'>[] = [];
  for await (const { at: _at, ...event } of readSse(body(chunks))) events.push(event);
  return events;
}

describe('readSse', () => {
  it('reads id, event and data, split anywhere across chunks, with any line ending', async () => {
    expect(await read(['\nid: 1\nevent: st', 'ep\ndata: {"a":1}\n', '\r\nid: 2\r\nevent: done\r\ndata: x\r\n\r\n'])).toEqual([
      { id: '1', event: 'step', data: '{"a":1}' },
      { id: '2', event: 'done', data: 'x' },
    ]);
  });

  it('joins data lines, skips comments, names an unnamed event "message", and drops an event left unfinished', async () => {
    expect(await read([': ping\n\ndata: a\ndata:b\n\ndata: cut'])).toEqual([{ id: undefined, event: 'message', data: 'a\nb' }]);
  });
});
