import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ImageStyleService } from './image-style.service';

const PROMPTS_DIR = resolve(__dirname, '../../prompts');

function serviceFor(dir: string): ImageStyleService {
  const service = new ImageStyleService({ dir, watch: false });
  service.onModuleInit();
  return service;
}

describe('ImageStyleService', () => {
  let temp: string | undefined;

  afterEach(() => {
    if (temp) rmSync(temp, { recursive: true, force: true });
    temp = undefined;
  });

  const tempCopy = (): string => {
    temp = mkdtempSync(join(tmpdir(), 'inspilot-styles-'));
    cpSync(PROMPTS_DIR, temp, { recursive: true });
    return temp;
  };

  it("loads each app's styles as <app>/<style>, from prompts/<app>/styles/<style>.json", () => {
    const service = serviceFor(PROMPTS_DIR);
    expect(service.has('paint/scene')).toBe(true);
    expect(service.has('paint/product')).toBe(true);
    // Named by app: the bare file name is not a style, nor are the generation defaults.
    expect(service.has('scene')).toBe(false);
    expect(service.has('sd/defaults')).toBe(false);
    expect(service.fileOf('essay/illustration')).toBe(join(PROMPTS_DIR, 'essay', 'styles', 'illustration.json'));
  });

  it("wraps a step's prompt in the style, with its negative prompt and options", () => {
    const dir = tempCopy();
    mkdirSync(join(dir, 'essay', 'styles'), { recursive: true });
    const style = { prompt: 'ink drawing of {{prompt}}', negative_prompt: 'colour', options: { steps: 12 } };
    writeFileSync(join(dir, 'essay', 'styles', 'illustration.json'), JSON.stringify(style));
    const request = serviceFor(dir).request('essay/illustration', 'a teapot');
    expect(request).toEqual({ steps: 12, prompt: 'ink drawing of a teapot', negative_prompt: 'colour' });
  });

  it('stops start-up on a style file that is not valid, naming the file', () => {
    const dir = tempCopy();
    mkdirSync(join(dir, 'essay', 'styles'), { recursive: true });
    writeFileSync(join(dir, 'essay', 'styles', 'broken.json'), '{ "prompt": "{{prompt" ');
    expect(() => serviceFor(dir)).toThrow(/essay\/styles\/broken\.json is invalid/);
    writeFileSync(join(dir, 'essay', 'styles', 'broken.json'), JSON.stringify({ prompt: '{{prompt}}' }));
    expect(() => serviceFor(dir)).toThrow(/essay\/styles\/broken\.json has no negative_prompt/);
  });
});
