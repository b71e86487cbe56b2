import { ValidationError, ValidationPipe } from '@nestjs/common';
import { BusinessError } from './errors';

/** Flattens nested validation errors into `path: rule` lines, e.g. `prompts.num: num must be an integer`. */
export function describeValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((rule) => `${path}: ${rule}`);
    return [...own, ...describeValidationErrors(error.children ?? [], path)];
  });
}

/** Cap on listed problems so a malformed 20 MB body does not produce a 20 MB message. */
const MAX_LISTED = 10;

export function validationFailure(errors: ValidationError[]): BusinessError {
  const lines = describeValidationErrors(errors);
  const listed = lines.slice(0, MAX_LISTED);
  const more = lines.length > MAX_LISTED ? `; and ${lines.length - MAX_LISTED} more` : '';
  return new BusinessError(`Invalid request: ${listed.join('; ')}${more}`);
}

/**
 * The request validation of the whole app. Unknown fields are kept, not refused: the
 * front end sends more than the API reads, and what it saves must come back unchanged.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: false,
    forbidUnknownValues: false,
    validationError: { target: false, value: false },
    exceptionFactory: validationFailure,
  });
}
