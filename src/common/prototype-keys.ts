/** Keys that class-transformer would take for an object's prototype or class, not for data. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** An array or plain object, as JSON parsers make them; anything else (a raw Buffer body, a Date) is left alone. */
function isJsonContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function hasPrototypeKeys(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (!isJsonContainer(item)) continue;
    for (const key of Object.keys(item)) {
      if (PROTOTYPE_KEYS.has(key)) return true;
      stack.push((item as Record<string, unknown>)[key]);
    }
  }
  return false;
}

/**
 * Parsed JSON without `__proto__`, `constructor` and `prototype` keys, for building class
 * instances from: class-transformer skips `__proto__`, but throws on an own `constructor`
 * (it takes it for the class to build), and a validated DTO must not carry either. The value
 * itself is never changed, since some routes keep what was sent exactly; it is copied only
 * when it holds such a key. Iterative, so no nesting can overflow the stack.
 */
export function withoutPrototypeKeys<T>(value: T): T {
  if (!hasPrototypeKeys(value)) return value;
  const root: Record<string, unknown> = {};
  const stack: Array<{ source: unknown; target: Record<string | number, unknown>; key: string | number }> = [
    { source: value, target: root, key: 'value' },
  ];
  while (stack.length > 0) {
    const { source, target, key } = stack.pop()!;
    if (Array.isArray(source)) {
      const items: unknown[] = new Array(source.length);
      source.forEach((item, index) => stack.push({ source: item, target: items as unknown as Record<number, unknown>, key: index }));
      target[key] = items;
    } else if (isJsonContainer(source)) {
      const fields: Record<string, unknown> = {};
      for (const [field, item] of Object.entries(source)) {
        if (PROTOTYPE_KEYS.has(field)) continue;
        // Claimed now, filled when its turn comes: the keys keep their order.
        fields[field] = undefined;
        stack.push({ source: item, target: fields, key: field });
      }
      target[key] = fields;
    } else {
      target[key] = source;
    }
  }
  return root.value as T;
}
