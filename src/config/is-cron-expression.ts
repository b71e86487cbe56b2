import { ValidateBy, type ValidationOptions } from 'class-validator';
import { validateCronExpression } from 'cron';

/**
 * A cron expression as the scheduler will read it: checked by cron's own parser, so a value
 * accepted here is one the scheduler runs, and a refused one says what the parser objected to.
 */
export function IsCronExpression(example: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCronExpression',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && validateCronExpression(value).valid,
        defaultMessage: (args) => {
          const problem = typeof args?.value === 'string' ? validateCronExpression(args.value).error?.message : undefined;
          return `must be a cron expression such as ${example} (minute hour day month weekday, an optional seconds field first)${problem ? `: ${problem}` : ''}`;
        },
      },
    },
    options,
  );
}
