import 'reflect-metadata';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { SCHEME_FIELDS, SchemeField, StoredStage } from '../stages';
import { jsonText } from './json-text';
import { jsonTextProblem } from './json-text-check';
import type { ParsedSave, SaveBodyResult } from './parsed-save';
import { saveBodyProblem } from './save-body.validation';
import { encodeStages } from './stage-encoding';

/**
 * Runs in a worker thread: everything a save costs in proportion to its size (decoding,
 * parsing, checking, validating, cutting into blobs, hashing), so a 20 MB save never holds
 * the event loop. Answers the problem for a 400, or the save as stored.
 */
export default async function parseSaveBody({ body }: { body: Uint8Array }): Promise<SaveBodyResult | ReturnType<typeof move>> {
  const text = jsonText(body);
  if (text === undefined) return { ok: false, problem: 'Request body is not valid UTF-8.' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `Request body is not valid JSON: ${(error as Error).message}` };
  }
  const shape = jsonTextProblem(text);
  if (shape) return { ok: false, problem: `Invalid request: ${shape}` };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: 'Invalid request: the body must be a JSON object { username, data }.' };
  }
  // Encoded first, as parsed: validation takes the value apart.
  const save = encode(value as Record<string, unknown>);
  const problem = await saveBodyProblem(value);
  if (problem) return { ok: false, problem };
  return move({
    get [transferableSymbol]() {
      return [save.bytes.buffer];
    },
    get [valueSymbol]() {
      return { ok: true, save };
    },
  } as never);
}

/** The body as stored, read before it is validated: what validation refuses is not encoded, nor used. */
function encode(body: Record<string, unknown>): ParsedSave {
  const data = (body.data ?? {}) as Record<string, unknown>;
  const schemes = (data.designSchemes ?? {}) as Record<string, unknown>;
  const lists: Partial<Record<SchemeField, Array<Record<string, unknown>>>> = {};
  for (const [stage, field] of Object.entries(SCHEME_FIELDS) as [StoredStage, SchemeField][]) {
    const list = schemes[stage];
    if (Array.isArray(list) && list.every((scheme) => typeof scheme === 'object' && scheme !== null && !Array.isArray(scheme))) lists[field] = list;
  }
  return {
    username: body.username as string,
    currentStage: data.currentStage as string,
    designTaskJson: JSON.stringify(data.designTask ?? ''),
    ...encodeStages(lists),
  };
}
