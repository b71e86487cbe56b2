import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { validationFailure } from '../../common/validation.pipe';
import { SaveDto } from '../dto/save.dto';
import { SCHEME_FIELDS, SchemeField, StoredStage } from '../stages';
import { jsonTextProblem } from './json-text-check';
import type { ParsedSave, SaveBodyResult } from './parsed-save';
import { encodeStages } from './stage-encoding';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Runs in a worker thread: everything a save costs in proportion to its size (decoding,
 * parsing, checking, validating, cutting into blobs, hashing), so a 20 MB save never holds
 * the event loop. Answers the problem for a 400, or the save as stored.
 */
export default async function parseSaveBody({ body }: { body: Uint8Array }): Promise<SaveBodyResult | ReturnType<typeof move>> {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { ok: false, problem: 'Request body is not valid UTF-8.' };
  }
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
  const errors = await validate(plainToInstance(SaveDto, value), {
    whitelist: false,
    forbidUnknownValues: false,
    validationError: { target: false, value: false },
  });
  if (errors.length) return { ok: false, problem: validationFailure(errors).message };

  // Stored as parsed, not as the validated instances: what was sent must come back exactly.
  const save = encode(value as SaveDto);
  return move({
    get [transferableSymbol]() {
      return [save.bytes.buffer];
    },
    get [valueSymbol]() {
      return { ok: true, save };
    },
  } as never);
}

function encode(body: SaveDto): ParsedSave {
  const lists: Partial<Record<SchemeField, Array<Record<string, unknown>>>> = {};
  for (const [stage, field] of Object.entries(SCHEME_FIELDS) as [StoredStage, SchemeField][]) {
    const schemes = body.data.designSchemes[stage];
    if (Array.isArray(schemes)) lists[field] = schemes as unknown as Array<Record<string, unknown>>;
  }
  return {
    username: body.username,
    currentStage: body.data.currentStage,
    designTaskJson: JSON.stringify(body.data.designTask),
    ...encodeStages(lists),
  };
}
