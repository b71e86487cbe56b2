import pRetry, { AbortError } from 'p-retry';

/** MongoDB's duplicate-key error: an insert lost a race for a unique key. */
const DUPLICATE_KEY = 11000;

export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === DUPLICATE_KEY;
}

/**
 * Whether the driver failed to reach the server or to get an answer in time (as opposed to the
 * server refusing a request): no server to select, a connection lost or its pool cleared while
 * the server restarts, or mongoose giving up an operation it buffered while disconnected.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  const { name = '', message = '' } = (error as Error | null) ?? {};
  if (/^Mongo(ose)?(ServerSelection|Network|NotConnected|Topology|PoolCleared|PoolClosed|ServerClosed|WaitQueueTimeout|OperationTimeout)\w*Error$/.test(name)) {
    return true;
  }
  if (name === 'MongooseError') return /buffering timed out/.test(message);
  // A socket's own failure the driver passed on unwrapped: the database is the service's only peer
  // whose errors are not wrapped in a typed provider error. Not only system errors (with a
  // `syscall`): a socket the server closes while a write waits to drain fails with Node's own
  // EPIPE, which the driver hands on as it came.
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && SOCKET_FAILURES.has(code);
}

const SOCKET_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Server errors that mean "not now" rather than "not this": a write conflict, a primary
 * stepping down or being elected, an operation interrupted by it, and the local database's
 * SQLite answering that it is busy. Codes from MongoDB's error_codes list.
 */
const TRANSIENT_CODES = new Set([6, 7, 89, 91, 112, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

export function isTransientWriteError(error: unknown): boolean {
  const e = error as { code?: unknown; errorLabels?: unknown; message?: unknown; name?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (Array.isArray(e.errorLabels) && e.errorLabels.some((label) => label === 'RetryableWriteError' || label === 'TransientTransactionError')) {
    return true;
  }
  if (typeof e.code === 'number' && TRANSIENT_CODES.has(e.code)) return true;
  return typeof e.message === 'string' && /SQLITE_BUSY|database is locked/i.test(e.message);
}

/**
 * Whether the database cannot serve the request now, though it may in a moment: unreachable,
 * or answering "not now" (restarting, stepping down, busy). Answered 503, never 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return isDatabaseUnreachable(error) || isTransientWriteError(error);
}

/** The values of a refused write that will not pass on a retry (duplicate key, invalid document). */
export function isValueRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return isDuplicateKey(error) || code === 2 || code === 10334 || code === 17419;
}

/**
 * Runs a database write, trying it again with jittered backoff while the server refuses it
 * for a moment (see isTransientWriteError); any other failure is thrown at once.
 */
export async function withWriteRetry<T>(write: () => Promise<T>, options: { retries?: number; minTimeoutMs?: number } = {}): Promise<T> {
  // Kept as thrown: p-retry rebuilds a failure that is not an Error of its own realm (a
  // socket's system error, say) as an empty Error, losing what went wrong.
  let final: { error: unknown } | undefined;
  try {
    return await pRetry(
      async () => {
        try {
          return await write();
        } catch (error) {
          if (isTransientWriteError(error)) throw error;
          final = { error };
          throw new AbortError('not retried');
        }
      },
      { retries: options.retries ?? 5, minTimeout: options.minTimeoutMs ?? 20, factor: 2.5, randomize: true },
    );
  } catch (error) {
    throw final ? final.error : error;
  }
}
