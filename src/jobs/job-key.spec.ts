import { canonicalJson, jobKey } from './job-key';

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('reads bodies that differ only in key order or number spelling as the same', () => {
    const a = JSON.parse('{"task":"设计","num":6.0,"extra":{"x":1e2,"y":"\\u8bbe"}}');
    const b = JSON.parse('{"extra":{"y":"设","x":100},"num":6,"task":"设计"}');
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it('keeps every kind of key apart, prototype-looking ones included, and escapes them', () => {
    const parsed = JSON.parse('{"__proto__":{"x":1},"constructor":2,"a\\"b":3,"":4}');
    expect(canonicalJson(parsed)).toBe('{"":4,"__proto__":{"x":1},"a\\"b":3,"constructor":2}');
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1}}'))).not.toBe(canonicalJson(JSON.parse('{"__proto__":{"x":2}}')));
  });

  it('tells apart values JSON tells apart', () => {
    const distinct = [null, 0, '0', false, 'false', [], {}, [null], { a: null }, '', 'a b', 'a  b'];
    expect(new Set(distinct.map(canonicalJson)).size).toBe(distinct.length);
  });

  it('writes undefined as JSON.stringify would', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined])).toBe('[null]');
  });
});

describe('jobKey', () => {
  const request = { appid: 0, type: 1, prompts: { designTask: '任务', designTexts: ['可折叠'], schemeId: 1 } };
  const alice = { username: 'alice', address: '10.0.0.1', userAgent: 'Firefox' };

  it('is the same for the same app, type, inputs in any key order and participant, from anywhere', () => {
    const reordered = { type: 1, appid: 0, prompts: { schemeId: 1, designTexts: ['可折叠'], designTask: '任务' } };
    expect(jobKey(reordered, { username: 'alice', address: '10.0.0.9', userAgent: 'Chrome' })).toBe(jobKey(request, alice));
    expect(jobKey(request, alice)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs by app, type, any input, and participant', () => {
    const key = jobKey(request, alice);
    expect(jobKey({ ...request, appid: 1 }, alice)).not.toBe(key);
    expect(jobKey({ ...request, type: 3 }, alice)).not.toBe(key);
    expect(jobKey({ ...request, prompts: { ...request.prompts, schemeId: 2 } }, alice)).not.toBe(key);
    expect(jobKey(request, { ...alice, username: 'bob' })).not.toBe(key);
  });

  it('with no participant named, is per client address and User-Agent', () => {
    const client = { address: '10.0.0.1', userAgent: 'Firefox' };
    const key = jobKey(request, client);
    expect(jobKey(request, { ...client })).toBe(key);
    expect(jobKey(request, { ...client, address: '10.0.0.2' })).not.toBe(key);
    expect(jobKey(request, { ...client, userAgent: 'Chrome' })).not.toBe(key);
    // A participant's request never joins an unnamed one's, even from the same client.
    expect(jobKey(request, { ...client, username: '' })).not.toBe(key);
  });

  it('cannot be forged by moving text between the fields it joins', () => {
    expect(jobKey(request, { address: 'a', userAgent: 'b,c' })).not.toBe(jobKey(request, { address: 'a,b', userAgent: 'c' }));
  });
});

describe('canonicalJson and JSON.stringify', () => {
  it('write strings alike, escaped or not', () => {
    const strings = ['plain', 'data:image/png;base64,iVBORw0KGgo+/=', 'quote " back \\ slash', 'tab\tnew\nline\u0000', '设计\u2028', '😀', '\ud800 lone'];
    for (const text of strings) expect(canonicalJson(text)).toBe(JSON.stringify(text));
    expect(canonicalJson({ b: strings, a: 1 })).toBe(JSON.stringify({ a: 1, b: strings }));
  });
});
