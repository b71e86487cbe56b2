import { ok } from '../../../common/envelope';
import { stateResponse } from './state-json';

describe('stateResponse', () => {
  it('writes the success envelope around the state, schemes spliced from their pieces', () => {
    const scheme = (text: string) => [Buffer.from(text.slice(0, 5)), Buffer.from(text.slice(5))];
    const bytes = stateResponse({
      id: '0123456789abcdef01234567',
      username: 'al"ice',
      currentStage: '收敛',
      designTaskJson: JSON.stringify('任务\u0000'),
      lists: { rapidDivergenceSchemes: [scheme('{"name":"a"}'), scheme('{"name":"b","x":[[1]]}')], convergenceSchemes: [] },
    });
    const expected = ok({
      _id: '0123456789abcdef01234567',
      username: 'al"ice',
      currentStage: '收敛',
      designTask: '任务\u0000',
      rapidDivergenceSchemes: [{ name: 'a' }, { name: 'b', x: [[1]] }],
      deepDivergenceSchemes: [],
      convergenceSchemes: [],
    });
    expect(Buffer.concat(bytes).toString('utf8')).toBe(JSON.stringify(expected));
  });
});
