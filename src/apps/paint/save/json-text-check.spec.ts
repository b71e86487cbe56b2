import { jsonTextProblem } from './json-text-check';

const nested = (levels: number, inner = '1') => '['.repeat(levels) + inner + ']'.repeat(levels);

describe('jsonTextProblem', () => {
  it('accepts nesting up to the limit and refuses one level more, naming the path', () => {
    expect(jsonTextProblem(nested(4), 4)).toBeUndefined();
    expect(jsonTextProblem(nested(5), 4)).toBe('[0][0][0][0]: nested deeper than 4 levels');
    expect(jsonTextProblem('{"a":{"b":[{"c":{}}]}}', 4)).toBe('a.b[0].c: nested deeper than 4 levels');
  });

  it('checks 100,000 levels without recursion', () => {
    expect(jsonTextProblem(nested(100_000))).toMatch(/nested deeper than 64 levels$/);
  });

  it.each(['9007199254740991', '-9007199254740991', '18014398509481984', '1e21', '1E+21', '-0', '0.1', '123456789012345678901234567890.5', '5e-324', '1.7976931348623157e308'])(
    'accepts %s, which a double holds as written',
    (literal) => {
      expect(jsonTextProblem(`{"n":[${literal}]}`)).toBeUndefined();
    },
  );

  it.each([
    ['9007199254740993', 'n[1]'],
    ['-9007199254740993', 'n[1]'],
    ['123456789012345678901234567890', 'n[1]'],
  ])('refuses the integer %s, which a double cannot hold, naming the path', (literal, path) => {
    expect(jsonTextProblem(`{"n":[0,${literal}]}`)).toBe(`${path}: ${literal} is an integer a JSON number cannot hold exactly (beyond ±2^53); send it as a string`);
  });

  it('names keys as JSON.parse reads them, escapes included', () => {
    expect(jsonTextProblem('{"a\\"b":{"\\u0041.c":[9007199254740993]}}')).toMatch(/^a"b\.A\.c\[0\]: /);
  });

  it('is not misled by brackets, quotes, commas and digits inside strings', () => {
    const text = JSON.stringify({ s: '[[[[{"\\"', t: '\\', u: '9007199254740993', v: ',,,]]]' , w: [1, '"', [2]] });
    expect(jsonTextProblem(text, 3)).toBeUndefined();
    expect(jsonTextProblem(`${text.slice(0, -1)},"x":[[[1]]]}`, 3)).toBe('x[0][0]: nested deeper than 3 levels');
  });

  it('counts array positions across nested members', () => {
    expect(jsonTextProblem('[{"a":[1,2]},[3,[4]],{"b":9007199254740993}]')).toBe(
      '[2].b: 9007199254740993 is an integer a JSON number cannot hold exactly (beyond ±2^53); send it as a string',
    );
  });
});
