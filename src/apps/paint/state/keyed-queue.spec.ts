import { KeyedQueue } from './keyed-queue';

/** A task that records when it starts and ends, and ends when told. */
function controlled(log: string[], name: string) {
  let finish!: (value: string) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const task = async () => {
    log.push(`start ${name}`);
    try {
      return await done;
    } finally {
      log.push(`end ${name}`);
    }
  };
  return { task, finish: () => finish(name), fail: () => fail(new Error(name)) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedQueue', () => {
  it('runs tasks of one key one after another, in arrival order', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((name) => controlled(log, name));
    const results = [queue.run('k', a.task), queue.run('k', b.task), queue.run('k', c.task)];
    await tick();
    expect(log).toEqual(['start a']);
    c.finish();
    b.finish();
    await tick();
    expect(log).toEqual(['start a']);
    a.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('runs tasks of different keys at once', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const a = controlled(log, 'a');
    const b = controlled(log, 'b');
    const results = [queue.run('one', a.task), queue.run('two', b.task)];
    await tick();
    expect(log).toEqual(['start a', 'start b']);
    b.finish();
    a.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b']);
  });

  it('goes on with the next task of a key after one fails, and reports the failure to its caller only', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const a = controlled(log, 'a');
    const b = controlled(log, 'b');
    const first = queue.run('k', a.task);
    const second = queue.run('k', b.task);
    a.fail();
    await expect(first).rejects.toThrow('a');
    b.finish();
    await expect(second).resolves.toBe('b');
  });
});
