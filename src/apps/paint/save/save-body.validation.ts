import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { validationFailure } from '../../../common/validation.pipe';
import { SaveDto } from '../dto/save.dto';
import { SCHEME_FIELDS } from '../stages';

interface DetachedPoints {
  stage: string;
  scheme: number;
  stroke: number;
  points: unknown[];
}

/**
 * Validates a parsed /paint/save body against SaveDto; returns the problems as the message of
 * a 400, or undefined. Takes the value apart as it goes: give it a value nothing else needs.
 */
export async function saveBodyProblem(value: object): Promise<string | undefined> {
  const detached = detachPoints(value);
  stripPrototypeKeys(value);
  const body = plainToInstance(SaveDto, value);
  attachPoints(body, detached);
  const errors = await validate(body, { whitelist: false, forbidUnknownValues: false, validationError: { target: false, value: false } });
  return errors.length ? validationFailure(errors).message : undefined;
}

/**
 * Each stroke's points, taken out before class-transformer copies the body: IsPointList checks a
 * list in one loop, and copying 700,000 point objects cost more than all the rest together.
 */
function detachPoints(value: object): DetachedPoints[] {
  const detached: DetachedPoints[] = [];
  const schemes = (value as { data?: { designSchemes?: Record<string, unknown> } }).data?.designSchemes;
  if (typeof schemes !== 'object' || schemes === null) return detached;
  for (const stage of Object.keys(SCHEME_FIELDS)) {
    const list = schemes[stage];
    if (!Array.isArray(list)) continue;
    list.forEach((scheme: { paths?: unknown }, schemeIndex) => {
      if (typeof scheme !== 'object' || scheme === null || !Array.isArray(scheme.paths)) return;
      scheme.paths.forEach((stroke: { paths?: unknown }, strokeIndex) => {
        if (typeof stroke !== 'object' || stroke === null || !Array.isArray(stroke.paths)) return;
        detached.push({ stage, scheme: schemeIndex, stroke: strokeIndex, points: stroke.paths });
        stroke.paths = [];
      });
    });
  }
  return detached;
}

/** Puts each list of points back, uncopied, into the stroke instance built in its place. */
function attachPoints(body: SaveDto, detached: DetachedPoints[]): void {
  const schemes = body.data?.designSchemes as Record<string, Array<{ paths?: Array<{ paths?: unknown }> }> | undefined> | undefined;
  for (const { stage, scheme, stroke, points } of detached) {
    const instance = schemes?.[stage]?.[scheme]?.paths?.[stroke];
    if (instance) instance.paths = points;
  }
}

/**
 * Removes `__proto__` and `constructor` keys, which JSON.parse makes own properties, without
 * recursion: class-transformer would take a `constructor` value for the class to build.
 */
function stripPrototypeKeys(value: object): void {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item !== 'object' || item === null) continue;
    if (!Array.isArray(item)) for (const key of ['__proto__', 'constructor']) Reflect.deleteProperty(item, key);
    for (const child of Object.values(item)) if (typeof child === 'object' && child !== null) pending.push(child);
  }
}
