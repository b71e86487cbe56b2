import { ResultCode } from './result-code';

/**
 * A failure the service knows how to explain. The exception filter maps every subclass
 * to the envelope with its `code`, `status` and `message`; nothing else builds error bodies.
 */
export abstract class AppError extends Error {
  abstract readonly code: ResultCode;
  abstract readonly status: number;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input the caller can correct: answered 400 unless a more precise status applies. */
export class BusinessError extends AppError {
  readonly code = ResultCode.Business;

  constructor(
    message: string,
    readonly status = 400,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class NotFoundError extends BusinessError {
  constructor(message: string) {
    super(message, 404);
  }
}

export class PayloadTooLargeError extends BusinessError {
  constructor(message: string) {
    super(message, 413);
  }
}

export type Provider = 'gpt' | 'sd';

/** One failed try of a provider call, kept for the experiment record. */
export interface AttemptFailure {
  attempt: number;
  reason: string;
  at: string;
}

/**
 * A model provider failed after the retries that could help. `step` names the pipeline step,
 * so the caller reads which part of a generation broke and why.
 */
export class ProviderError extends AppError {
  readonly code = ResultCode.Provider;

  constructor(
    message: string,
    readonly provider: Provider,
    readonly status = 502,
    readonly details: { step?: string; model?: string; instance?: string; attempts?: AttemptFailure[] } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The request asks for what the resource's state no longer allows (cancelling a finished job). */
export class ConflictError extends BusinessError {
  constructor(message: string) {
    super(message, 409);
  }
}

/** The service cannot do it now (its database refused a write it needs): answered 503, worth retrying. */
export class ServiceUnavailableError extends AppError {
  readonly code = ResultCode.Internal;
  readonly status = 503;
}

export class UnauthorizedError extends BusinessError {
  constructor(message: string) {
    super(message, 401);
  }
}

export class ForbiddenError extends BusinessError {
  constructor(message: string) {
    super(message, 403);
  }
}

/** Work given up because the generation it served already failed; never the reason reported. */
export class CancelledError extends Error {
  constructor(what: string) {
    super(`${what} cancelled: the generation already failed`);
    this.name = 'CancelledError';
  }
}

/**
 * The caller gave a generation up (its client went away): its steps are stopped and the
 * record says so. Answered, if anyone still listens, as 499, the status proxies use for a
 * request its client closed.
 */
export class GenerationCancelledError extends AppError {
  readonly code = ResultCode.Business;
  readonly status = 499;

  constructor(reason: string) {
    super(`Generation cancelled by its caller: ${reason}`);
  }
}
