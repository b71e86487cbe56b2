import type { ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

type Schemas = Record<string, SchemaObject | ReferenceObject>;

/** Nesting followed before giving up: DTOs that refer to themselves end there. */
const MAX_DEPTH = 8;

/**
 * An example value of a schema, built from the examples of its properties: what the DTOs'
 * `@example` comments say, so every documented type gets a runnable example without writing
 * one. Required properties without an example get a value of their type; optional ones
 * without an example are left out. Undefined when nothing sensible can be built.
 */
export function exampleOf(schema: SchemaObject | ReferenceObject, schemas: Schemas, depth = 0): unknown {
  if (depth > MAX_DEPTH) return undefined;
  if ('$ref' in schema) {
    const target = schemas[schema.$ref.replace('#/components/schemas/', '')];
    return target ? exampleOf(target, schemas, depth + 1) : undefined;
  }
  if (schema.example !== undefined) return schema.example;
  if (schema.enum?.length) return schema.enum[0];
  const variant = schema.oneOf?.[0] ?? schema.anyOf?.[0] ?? schema.allOf?.[0];
  if (variant) return exampleOf(variant, schemas, depth + 1);
  switch (schema.type) {
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const [key, property] of Object.entries(schema.properties ?? {})) {
        const required = schema.required?.includes(key) ?? false;
        const example = required || hasExample(property, schemas) ? exampleOf(property, schemas, depth + 1) : undefined;
        if (example !== undefined) value[key] = example;
      }
      return value;
    }
    case 'array': {
      const item = schema.items ? exampleOf(schema.items, schemas, depth + 1) : undefined;
      return item === undefined ? [] : Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => item);
    }
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'boolean':
      return false;
    case 'string':
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    default:
      return undefined;
  }
}

function hasExample(schema: SchemaObject | ReferenceObject, schemas: Schemas): boolean {
  if ('$ref' in schema) return true;
  return schema.example !== undefined || (schema.type === 'array' && schema.items !== undefined && hasExample(schema.items, schemas));
}
