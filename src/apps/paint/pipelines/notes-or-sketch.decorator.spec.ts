import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { describeValidationErrors } from '../../../common/validation.pipe';
import { ConvergenceCombinationInput, ConvergenceNamingInput, DeepDivergenceInput } from './inputs.dto';
import { NOTES_OR_SKETCH_MESSAGE, SOME_SCHEME_MESSAGE } from './notes-or-sketch.decorator';
import { carriesScheme, describeSchemes, joinTexts, notesOf } from './scheme-content';

/** A real 1×1 PNG, as the canvas would export it. */
const SKETCH = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const TASK = '设计一款运动辅助产品';

/** The `path: rule` lines the API would answer for `plain` as `prompts` of `dto`. */
async function problems(dto: new () => object, plain: object): Promise<string[]> {
  return describeValidationErrors(await validate(plainToInstance(dto, plain), { forbidUnknownValues: false }), 'prompts');
}

describe('scheme content', () => {
  it('counts trimmed, non-blank strings as notes', () => {
    expect(notesOf([' 可折叠 ', '', '  ', '\n', '夜跑照明'])).toEqual(['可折叠', '夜跑照明']);
    expect(notesOf(['  ', '\t'])).toEqual([]);
    expect(notesOf(undefined)).toEqual([]);
    expect(notesOf('可折叠')).toEqual([]);
    expect(notesOf([3, null, '防滑'])).toEqual(['防滑']);
  });

  it.each([
    [{ designTexts: ['可折叠'] }, true],
    [{ designTexts: [], designImage: SKETCH }, true],
    [{ designTexts: ['  '], designImage: SKETCH }, true],
    [{ designTexts: [] }, false],
    [{ designTexts: ['  ', ''] }, false],
    [{ designTexts: [], designImage: '' }, false],
    [{ designTexts: [], designImage: null }, false],
    [null, false],
    ['可折叠', false],
  ])('%j carries a scheme: %s', (scheme, expected) => {
    expect(carriesScheme(scheme)).toBe(expected);
  });

  it('joins notes for the model, and gives nothing for none (the templates word that case)', () => {
    expect(joinTexts([' 可折叠', '  ', '夜跑照明 '])).toBe('可折叠，夜跑照明');
    expect(joinTexts(['  '])).toBe('');
    expect(joinTexts([])).toBe('');
  });

  it('numbers the sketches in scheme order, skipping schemes without one', () => {
    const { described, sketches } = describeSchemes([
      { designTexts: [], designImage: `${SKETCH}#a` },
      { designTexts: ['心率提醒'] },
      { designTexts: ['防滑'], designImage: `${SKETCH}#b` },
    ]);
    expect(sketches).toEqual([`${SKETCH}#a`, `${SKETCH}#b`]);
    expect(described).toEqual([
      { number: 1, imageNumber: 1, texts: '' },
      { number: 2, imageNumber: null, texts: '心率提醒' },
      { number: 3, imageNumber: 2, texts: '防滑' },
    ]);
  });
});

describe('type 1 designTexts: notes or a sketch', () => {
  it('takes no notes beside a sketch, and notes without a sketch', async () => {
    expect(await problems(DeepDivergenceInput, { designTask: TASK, designTexts: [], designImage: SKETCH, schemeId: 1 })).toEqual([]);
    expect(await problems(DeepDivergenceInput, { designTask: TASK, designTexts: ['可折叠'], schemeId: 1 })).toEqual([]);
  });

  it.each([
    ['no notes and no sketch', { designTexts: [] }],
    ['blank notes only', { designTexts: ['  ', ''] }],
    ['a null sketch', { designTexts: [], designImage: null }],
  ])('refuses %s on prompts.designTexts', async (_label, scheme) => {
    expect(await problems(DeepDivergenceInput, { designTask: TASK, schemeId: 1, ...scheme })).toEqual([`prompts.designTexts: ${NOTES_OR_SKETCH_MESSAGE}`]);
  });

  it('still refuses notes that are not strings, and a sketch that is no image, on their own rules', async () => {
    const found = await problems(DeepDivergenceInput, { designTask: TASK, designTexts: [7], designImage: 'data:image/png;base64,AAAA', schemeId: 1 });
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^prompts\.designTexts: each value in designTexts must be a string$/), expect.stringMatching(/^prompts\.designImage: /)]));
  });
});

describe('type 2 schemes: notes or a sketch, each', () => {
  const naming = (schemes: object[]) => ({ designTask: TASK, selectNum: 1, schemes });

  it('takes sketch-only and notes-only schemes side by side', async () => {
    expect(await problems(ConvergenceNamingInput, naming([{ designTexts: [], designImage: SKETCH }, { designTexts: ['心率提醒'] }]))).toEqual([]);
  });

  it('names the scheme that says nothing by its path', async () => {
    const found = await problems(ConvergenceNamingInput, naming([{ designTexts: ['可折叠'] }, { designTexts: [], designImage: SKETCH }, { designTexts: ['  '] }]));
    expect(found).toEqual([`prompts.schemes.2.designTexts: ${NOTES_OR_SKETCH_MESSAGE}`]);
  });
});

describe('type 3 selectedSchemes: some scheme has notes or a sketch', () => {
  const combination = (selectedSchemes: unknown) => ({ selectedSchemes, num: 1 });

  it('takes an empty scheme beside one that says something, and a sketch-only selection', async () => {
    expect(await problems(ConvergenceCombinationInput, combination([{ designTexts: [] }, { designTexts: ['心率提醒'] }]))).toEqual([]);
    expect(await problems(ConvergenceCombinationInput, combination([{ designTexts: [], designImage: SKETCH }]))).toEqual([]);
  });

  it('refuses a selection in which no scheme says anything, naming prompts.selectedSchemes', async () => {
    const found = await problems(ConvergenceCombinationInput, combination([{ designTexts: [] }, { designTexts: ['  '] }]));
    expect(found).toEqual([`prompts.selectedSchemes: ${SOME_SCHEME_MESSAGE}`]);
  });

  it('leaves a missing or empty list to the list rules, without a second message', async () => {
    expect(await problems(ConvergenceCombinationInput, combination([]))).toEqual(['prompts.selectedSchemes: selectedSchemes should not be empty']);
    const missing = await problems(ConvergenceCombinationInput, { num: 1 });
    expect(missing.some((line) => line.includes(SOME_SCHEME_MESSAGE))).toBe(false);
    expect(missing).toContain('prompts.selectedSchemes: selectedSchemes must be an array');
  });

  it('checks each selected sketch as an image, naming its path', async () => {
    const found = await problems(ConvergenceCombinationInput, combination([{ designTexts: ['可折叠'], designImage: 'http://example.com/a.png' }]));
    expect(found).toEqual([expect.stringMatching(/^prompts\.selectedSchemes\.0\.designImage: designImage must be an image data URL/)]);
  });
});
