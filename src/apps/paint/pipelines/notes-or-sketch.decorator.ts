import { ValidateBy, ValidationOptions } from 'class-validator';
import { carriesScheme } from './scheme-content';

export const NOTES_OR_SKETCH_MESSAGE = 'give at least one note or a designImage sketch';
export const SOME_SCHEME_MESSAGE = 'no selected scheme has a note or a designImage sketch; give at least one';

/**
 * On a scheme's `designTexts`: the notes may be empty when the scheme's `designImage` carries
 * it, as for a scheme the designer only sketched. Neither is refused on `designTexts`, the
 * field the designer would fill in.
 */
export function NotesOrSketch(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'notesOrSketch',
      validator: {
        validate: (value, args) => carriesScheme({ designTexts: value, designImage: (args?.object as { designImage?: unknown })?.designImage }),
        defaultMessage: () => NOTES_OR_SKETCH_MESSAGE,
      },
    },
    options,
  );
}

/**
 * On a list of schemes where an empty one is harmless beside others (it adds nothing), but a
 * list in which no scheme says anything leaves the model nothing to work from. A value that
 * is no list, or an empty one, is left to the list's own rules.
 */
export function SomeSchemeHasNotesOrSketch(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'someSchemeHasNotesOrSketch',
      validator: {
        validate: (value) => !Array.isArray(value) || value.length === 0 || value.some(carriesScheme),
        defaultMessage: () => SOME_SCHEME_MESSAGE,
      },
    },
    options,
  );
}
