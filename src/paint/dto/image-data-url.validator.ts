import { registerDecorator, ValidationOptions } from 'class-validator';
import { isProvedImage, readImageDataUrl } from '../../common/image-bytes';

/** A PNG, JPEG or WebP data URL, proved by its bytes whatever type it declares. */
export function IsImageDataUrl(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isImageDataUrl',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value) => isProvedImage(readImageDataUrl(value)),
        defaultMessage: (args) => {
          const read = readImageDataUrl(args?.value);
          return `${String(propertyName)} ${'problem' in read ? read.problem : 'is not an image'}`;
        },
      },
    });
}
