import { withWriteRetry } from './mongo-errors';

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

  it('gives up after the retries it was given, with the last failure', async () => {
    const write = flaky([busy(), busy(), busy(), busy()]);
    await expect(withWriteRetry(write, { retries: 2, minTimeoutMs: 1 })).rejects.toThrow(/SQLITE_BUSY/);
    expect(write).toHaveBeenCalledTimes(3);
  });
});
