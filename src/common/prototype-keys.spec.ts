import { withoutPrototypeKeys } from './prototype-keys';

describe('withoutPrototypeKeys', () => {
  it('gives back the very value when it holds no such key', () => {
    const value = JSON.parse('{"a":[1,{"b":null}],"c":"constructor"}');
    expect(withoutPrototypeKeys(value)).toBe(value);
    const buffer = Buffer.from('{"__proto__":1}');
    expect(withoutPrototypeKeys(buffer)).toBe(buffer);
  });

  it('copies without them at any depth, leaving what was parsed unchanged', () => {
    const text = '{"__proto__":{"x":1},"keep":[{"constructor":"f","prototype":2,"y":[3,{"__proto__":[]}]}],"z":"s"}';
    const parsed = JSON.parse(text);
    const copy = withoutPrototypeKeys(parsed);
    expect(JSON.stringify(copy)).toBe('{"keep":[{"y":[3,{}]}],"z":"s"}');
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(JSON.stringify(parsed)).toBe(text);
  });

  it('takes any nesting without recursion', () => {
    const levels = 200_000;
    const deep = JSON.parse(`${'{"a":'.repeat(levels)}{"constructor":1}${'}'.repeat(levels)}`);
    let node = withoutPrototypeKeys(deep) as Record<string, unknown>;
    for (let i = 0; i < levels; i++) node = node.a as Record<string, unknown>;
    expect(node).toEqual({});
  });
});
