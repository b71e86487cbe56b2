import mongoose from 'mongoose';
import { isDatabaseUnavailable, isDatabaseUnreachable, withWriteRetry } from './mongo-errors';

// The driver mongoose runs, as mongoose exports it.
const { MongoNetworkError, MongoOperationTimeoutError, MongoServerClosedError, MongoServerError, MongoServerSelectionError } = mongoose.mongo;

/** A write that fails with `errors` in turn, then succeeds. */
function flaky(errors: unknown[]) {
  let calls = 0;
  const write = jest.fn(async () => {
    const error = errors[calls++];
    if (error) throw error;
    return 'written';
  });
  return write;
}

const busy = () => Object.assign(new Error('(SQLITE_BUSY) database is locked'), { code: 1 });
const conflict = () => Object.assign(new Error('WriteConflict'), { code: 112 });

describe('withWriteRetry', () => {
  it('tries a write refused for a moment again until it succeeds', async () => {
    const write = flaky([busy(), conflict()]);
    await expect(withWriteRetry(write, { minTimeoutMs: 1 })).resolves.toBe('written');
    expect(write).toHaveBeenCalledTimes(3);
  });

  it('throws any other failure at once', async () => {
    const refused = Object.assign(new Error('E11000 duplicate key'), { code: 11000 });
    const write = flaky([refused]);
    await expect(withWriteRetry(write, { minTimeoutMs: 1 })).rejects.toBe(refused);
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('throws a failure it does not retry exactly as the write threw it, even when it is not an Error', async () => {
    const refusal = { code: 'ECONNRESET', syscall: 'read', message: 'read ECONNRESET' };
    const write = flaky([refusal]);
    await expect(withWriteRetry(write, { minTimeoutMs: 1 })).rejects.toBe(refusal);
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('gives up after the retries it was given, with the last failure', async () => {
    const write = flaky([busy(), busy(), busy(), busy()]);
    await expect(withWriteRetry(write, { retries: 2, minTimeoutMs: 1 })).rejects.toThrow(/SQLITE_BUSY/);
    expect(write).toHaveBeenCalledTimes(3);
  });
});

describe('isDatabaseUnreachable', () => {
  it.each([
    ['no server to select', new MongoServerSelectionError('Server selection timed out after 1500 ms', {} as never)],
    ['a connection lost', new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed')],
    ['a server closed under a pending operation', new MongoServerClosedError()],
    ['an operation out of time', new MongoOperationTimeoutError('Timed out during socket read (1500ms)')],
    ['a socket failure the driver passed on unwrapped', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' })],
    ['a write to a socket the server had closed', Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' })],
    ['an operation mongoose buffered while disconnected', new mongoose.Error('Operation `paint_states.findOne()` buffering timed out after 1500ms')],
  ])('counts %s as the database being unavailable', (_what, error) => {
    expect(isDatabaseUnreachable(error)).toBe(true);
  });

  it.each([
    ['a refused write', new MongoServerError({ message: 'E11000 duplicate key error', code: 11000 })],
    ['another mongoose error', new mongoose.Error('Cast to ObjectId failed')],
    ['any other error', new Error('buffering timed out')],
    ['a file system error', Object.assign(new Error("ENOENT: no such file or directory, open 'x'"), { code: 'ENOENT', syscall: 'open' })],
    ['not an error', null],
  ])('does not count %s', (_what, error) => {
    expect(isDatabaseUnreachable(error)).toBe(false);
  });
});

describe('isDatabaseUnavailable', () => {
  it('counts a server answering "not now" (shutting down, busy) as well as an unreachable one', () => {
    expect(isDatabaseUnavailable(new MongoServerError({ message: 'interrupted at shutdown', code: 11600 }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('(SQLITE_BUSY) database is locked'), { code: 1 }))).toBe(true);
    expect(isDatabaseUnavailable(new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed'))).toBe(true);
    expect(isDatabaseUnavailable(new MongoServerError({ message: 'E11000 duplicate key error', code: 11000 }))).toBe(false);
  });
});
