/** Headers that carry credentials: the research key, bearer tokens, sessions. */
const SECRET_HEADERS = ['authorization', 'Authorization', 'x-api-key', 'X-Api-Key', 'api-key', 'cookie', 'Cookie', 'set-cookie', 'Set-Cookie'];

/**
 * Where such a header would sit if a request, a response or an HTTP client's error were ever
 * logged whole. Request lines list their safe fields only (request-log), so this is the second
 * guard, for objects logged by code that did not think of it.
 */
const HEADER_HOLDERS = ['headers', 'req.headers', 'res.headers', 'err.headers', 'err.config.headers', 'err.response.headers', 'err.request.headers'];

export const REDACTED_PATHS: string[] = HEADER_HOLDERS.flatMap((holder) => SECRET_HEADERS.map((header) => `${holder}["${header}"]`));

export const REDACTED = '[redacted]';
