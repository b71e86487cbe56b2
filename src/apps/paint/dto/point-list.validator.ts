import { registerDecorator, ValidationOptions } from 'class-validator';

/** Why `value` is not a list of `{ x, y }` points with numeric coordinates, or undefined if it is. */
export function pointListProblem(value: unknown, property: string): string | undefined {
  if (!Array.isArray(value)) return `${property} must be an array of points { x, y }`;
  for (let index = 0; index < value.length; index++) {
    const point = value[index];
    if (typeof point !== 'object' || point === null || Array.isArray(point)) return `${property}.${index} must be a point { x, y }`;
    for (const axis of ['x', 'y'] as const) {
      const coordinate = (point as Record<string, unknown>)[axis];
      if (typeof coordinate !== 'number') return `${property}.${index}.${axis} must be a number (got ${coordinate === null ? 'null' : typeof coordinate})`;
    }
  }
  return undefined;
}

/**
 * A stroke's points, checked in one loop. One nested DTO instance per point cost seconds
 * for a long session (700,000 points); the points' schema is still PointDto in the docs.
 */
export function IsPointList(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPointList',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value) => pointListProblem(value, String(propertyName)) === undefined,
        defaultMessage: (args) => pointListProblem(args?.value, String(propertyName)) ?? '',
      },
    });
}
