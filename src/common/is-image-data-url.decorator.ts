import { ValidateBy, ValidationOptions } from 'class-validator';
import { isProvedImage, readImageDataUrl } from './image-bytes';

/**
 * The property is an image data URL whose bytes prove it a PNG, JPEG or WebP image, whatever
 * type it declares. Anything else, an SVG or a link included, is refused naming the property
 * and why.
 */
export function IsImageDataUrl(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isImageDataUrl',
      validator: {
        validate: (value) => isProvedImage(readImageDataUrl(value)),
        // Read again only for a refused value, so an accepted image is decoded once.
        defaultMessage: (args) => {
          const result = readImageDataUrl(args?.value);
          return `${args?.property ?? 'image'} ${isProvedImage(result) ? 'must be an image data URL' : result.problem}`;
        },
      },
    },
    options,
  );
}
