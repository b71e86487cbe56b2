import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { BusinessError } from './errors';
import { withoutPrototypeKeys } from './prototype-keys';

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

/** One 400 listing what is wrong; `parent` prefixes each path (`prompts` for a pipeline's inputs). */
export function validationFailure(errors: ValidationError[], parent = ''): BusinessError {
  const lines = describeValidationErrors(errors, parent);
  const listed = lines.slice(0, MAX_LISTED);
  const more = lines.length > MAX_LISTED ? `; and ${lines.length - MAX_LISTED} more` : '';
  return new BusinessError(`Invalid request: ${listed.join('; ')}${more}`);
}

/**
 * Nest's pipe deletes `__proto__`, `constructor` and `prototype` keys from the parsed body, in
 * place, before class-transformer builds the DTO. In place changed bodies that must be kept
 * exactly as sent (a generation's inputs are recorded from the body); here the DTO is built
 * from a copy without those keys instead, made without recursion (see prototype-keys), and
 * only when the body holds such a key. Nesting is bounded before any pipe runs
 * (json-shape.middleware), so class-transformer's own recursion is safe.
 */
class RequestValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    return super.transform(withoutPrototypeKeys(value), metadata);
  }

  protected override stripProtoKeys(): void {}
}

/**
 * The request validation of the whole app. Unknown fields are kept, not refused: the
 * front end sends more than the API reads, and what it saves must come back unchanged.
 */
export function createValidationPipe(): ValidationPipe {
  return new RequestValidationPipe({
    transform: true,
    whitelist: false,
    forbidUnknownValues: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationFailure(errors),
  });
}
