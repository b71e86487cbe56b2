import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ResultCode } from '../result-code';

/** The envelope's schema around `data`. */
export const envelopeSchema = (data: SchemaObject | ReferenceObject, success: boolean, code: number, message: string): SchemaObject => ({
  type: 'object',
  required: ['success', 'data', 'code', 'message'],
  properties: {
    success: { type: 'boolean', example: success },
    data,
    code: { type: 'integer', example: code, description: '0 ok, 1 business failure, 2 model provider failure, 3 service failure' },
    message: { type: 'string', example: message },
  },
});

/**
 * Documents a success answer as the envelope around `model` (or `data: null`).
 * `isArray` documents `data` as a list of `model`.
 */
export function ApiEnvelope(
  model: Type<unknown> | null,
  options: { status?: number; description?: string; isArray?: boolean; example?: unknown } = {},
) {
  const ref: SchemaObject | ReferenceObject = model
    ? { $ref: getSchemaPath(model) }
    : { type: 'object', nullable: true, example: options.example ?? null };
  const data = options.isArray ? { type: 'array', items: ref } : ref;
  return applyDecorators(
    ...(model ? [ApiExtraModels(model)] : []),
    ApiResponse({
      status: options.status ?? 200,
      description: options.description ?? 'Success, in the envelope.',
      schema: envelopeSchema(data, true, ResultCode.Ok, ''),
    }),
  );
}

const FAILURES: Record<number, { code: ResultCode; description: string; message: string }> = {
  400: { code: ResultCode.Business, description: 'Invalid input.', message: 'Invalid request: username: username must not be empty' },
  401: { code: ResultCode.Business, description: 'Missing or wrong API key.', message: 'A valid X-API-Key header is required.' },
  403: {
    code: ResultCode.Business,
    description: 'The research routes are closed: the server has no RESEARCH_API_KEY.',
    message: 'The research routes are disabled on this server: set RESEARCH_API_KEY to enable them.',
  },
  404: { code: ResultCode.Business, description: 'Unknown user or resource.', message: 'Unknown user "bob": call /paint/start before /paint/save.' },
  409: {
    code: ResultCode.Business,
    description: 'The resource is no longer in a state that allows it.',
    message: 'Job 6746e0c2a1b2c3d4e5f60718 has already ended (succeeded); there is nothing to cancel.',
  },
  413: { code: ResultCode.Business, description: 'Body over the limit.', message: 'Request body of 60.2 MB is over the limit of 50.0 MB (GENERATE_BODY_LIMIT).' },
  429: {
    code: ResultCode.Business,
    description: 'Over the rate limit of this client address; the `Retry-After` header says when to try again.',
    message: 'Too many requests from this address: at most 240 per 60 s (RATE_LIMIT_GENERATE); retry in 42 s.',
  },
  502: { code: ResultCode.Provider, description: 'A model provider failed.', message: 'GPT step "products" failed after 3 attempts: 500 Internal Server Error' },
  503: { code: ResultCode.Provider, description: 'A provider or the database is unavailable.', message: 'No Stable Diffusion instance is healthy.' },
  504: {
    code: ResultCode.Provider,
    description: 'A provider was too slow: a step it ran did not finish in time.',
    message: 'GPT step "abstracts" did not finish within the 120000 ms generation deadline',
  },
};

/** Documents the failure envelopes a route can answer with. */
export function ApiFailures(...statuses: (keyof typeof FAILURES)[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: FAILURES[status].description,
        schema: envelopeSchema({ type: 'object', nullable: true, example: null }, false, FAILURES[status].code, FAILURES[status].message),
      }),
    ),
  );
}
