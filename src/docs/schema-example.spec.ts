import { exampleOf } from './schema-example';

describe('exampleOf', () => {
  const schemas = {
    Scheme: { type: 'object', properties: { designTexts: { type: 'array', items: { type: 'string' }, example: ['可折叠'] }, designImage: { type: 'string' } }, required: ['designTexts'] },
    Input: {
      type: 'object',
      required: ['task', 'num', 'schemes'],
      properties: {
        task: { type: 'string', example: '设计一款运动辅助产品' },
        num: { type: 'integer', minimum: 1, maximum: 20 },
        note: { type: 'string' },
        hinted: { type: 'string', example: 'kept' },
        schemes: { type: 'array', minItems: 2, items: { $ref: '#/components/schemas/Scheme' } },
        mode: { type: 'string', enum: ['fast', 'slow'] },
      },
    },
    Self: { type: 'object', required: ['child'], properties: { child: { $ref: '#/components/schemas/Self' } } },
  } as const;

  it("builds an object from its properties' examples, required ones from their types and limits, leaving out optional ones without an example", () => {
    expect(exampleOf({ $ref: '#/components/schemas/Input' }, schemas as never)).toEqual({
      task: '设计一款运动辅助产品',
      num: 1,
      hinted: 'kept',
      schemes: [{ designTexts: ['可折叠'] }, { designTexts: ['可折叠'] }],
    });
  });

  it('takes the first value of an enum and the first variant of a oneOf', () => {
    expect(exampleOf({ type: 'string', enum: ['fast', 'slow'] }, {})).toBe('fast');
    expect(exampleOf({ oneOf: [{ type: 'integer', example: 7 }, { type: 'string' }] }, {})).toBe(7);
  });

  it('stops on a schema that refers to itself instead of recursing forever', () => {
    const value = exampleOf({ $ref: '#/components/schemas/Self' }, schemas as never);
    let depth = 0;
    for (let node = value as { child?: unknown } | undefined; node && typeof node === 'object'; node = node.child as never) depth++;
    expect(depth).toBeGreaterThan(1);
    expect(depth).toBeLessThan(20);
  });

  it('gives nothing for a reference to a schema that is not there', () => {
    expect(exampleOf({ $ref: '#/components/schemas/Missing' }, {})).toBeUndefined();
  });
});
