import { AxiosError } from 'axios';

/** A WebUI call that failed. `instanceFault` tells a broken instance (retry elsewhere) from a refused request. */
export class WebUiError extends Error {
  constructor(
    message: string,
    readonly instanceFault: boolean,
    readonly timedOut = false,
  ) {
    super(message);
    this.name = 'WebUiError';
  }
}

/**
 * The WebUI's reason for an error answer: FastAPI's `detail` (text, or validation errors), the
 * WebUI's own `errors`/`error` on a 500, or an OpenAI-like `error.message`.
 */
function detailOf(data: unknown): string {
  if (typeof data === 'string') return data.slice(0, 300);
  if (typeof data !== 'object' || data === null) return '';
  const body = data as { detail?: unknown; error?: unknown; errors?: unknown };
  if (Array.isArray(body.detail)) {
    return body.detail.map((item: { loc?: unknown[]; msg?: unknown }) => `${(item.loc ?? []).join('.')}: ${String(item.msg)}`).join('; ');
  }
  const nested = (body.error as { message?: unknown } | undefined)?.message;
  for (const text of [body.errors, body.detail, body.error, nested]) if (typeof text === 'string' && text !== '') return text;
  return '';
}

/** Any failure of a WebUI call as a WebUiError, classified. */
export function toWebUiError(error: unknown, timeoutMs: number): WebUiError {
  if (error instanceof WebUiError) return error;
  if (error instanceof AxiosError) {
    if (error.response) {
      const status = error.response.status;
      const detail = detailOf(error.response.data);
      return new WebUiError(`${status}${detail ? ` ${detail}` : ''}`, status >= 500 || status === 408 || status === 429);
    }
    if (error.code === AxiosError.ECONNABORTED || error.code === AxiosError.ETIMEDOUT) {
      return new WebUiError(`timed out after ${timeoutMs} ms`, true, true);
    }
    if (error.code === AxiosError.ERR_CANCELED) return new WebUiError('aborted', false);
    return new WebUiError(error.code ?? error.message, true);
  }
  return new WebUiError(error instanceof Error ? error.message : String(error), true);
}
