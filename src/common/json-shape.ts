/** How deep a request body may nest: drawing states need about 8 levels, generation inputs fewer. */
export const MAX_JSON_DEPTH = 64;

export interface JsonShapeOptions {
  maxDepth?: number;
  /** Prefix of every path named (`prompts`). */
  path?: string;
  /** Also refuse strings holding NUL: no text needs one, and some servers cannot store it. */
  refuseNul?: boolean;
}

/**
 * Checks, without recursion (so no input can overflow the stack), that a parsed JSON value
 * can be kept and given back exactly as sent: it nests at most `maxDepth` levels, and no
 * number is an integer beyond ±2^53, which JSON.parse has already rounded. Returns the first
 * problem with its path (`data.designSchemes.快速发散[0].paths`), or undefined.
 */
export function jsonShapeProblem(value: unknown, options: JsonShapeOptions = {}): string | undefined {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: options.path ?? '', depth: 0 }];
  while (stack.length > 0) {
    const { value: item, path, depth } = stack.pop()!;
    if (typeof item === 'number') {
      if (Number.isInteger(item) && !Number.isSafeInteger(item)) {
        return `${path || 'body'}: ${item} is an integer beyond ±2^53 and cannot be kept exactly; send it as a string`;
      }
      continue;
    }
    if (typeof item === 'string') {
      if (options.refuseNul && item.includes('\0')) return `${path || 'body'}: a text must not hold a NUL character (\\u0000)`;
      continue;
    }
    if (item === null || typeof item !== 'object') continue;
    if (depth >= maxDepth) return `${path || 'body'}: nested deeper than ${maxDepth} levels`;
    if (Array.isArray(item)) {
      for (let index = item.length - 1; index >= 0; index--) stack.push({ value: item[index], path: `${path}[${index}]`, depth: depth + 1 });
    } else {
      for (const key of Object.keys(item)) {
        stack.push({ value: (item as Record<string, unknown>)[key], path: path ? `${path}.${key}` : key, depth: depth + 1 });
      }
    }
  }
  return undefined;
}
