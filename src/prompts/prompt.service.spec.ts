import { Logger } from '@nestjs/common';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PromptService } from './prompt.service';

const PROMPTS_DIR = resolve(__dirname, '../../prompts');

function serviceFor(dir: string): PromptService {
  const service = new PromptService({ dir, watch: false });
  service.onModuleInit();
  return service;
}

const schemes = [
  { number: 1, imageNumber: 1, texts: '可折叠，夜跑照明' },
  { number: 2, imageNumber: null, texts: '心率提醒' },
];

/**
 * Every template of prompts/paint with the variables its pipeline step passes
 * (src/apps/paint/pipelines/*.pipeline.ts; a list step's variables get `count` added),
 * and the count a list step asks for (null for a single-answer step).
 */
const STEP_VARIABLES: Record<string, { vars: object; count: number | null; mentions: string[] }> = {
  'paint/products': { vars: { subject: '设计一款运动辅助产品', notes: '', count: 6 }, count: 6, mentions: ['设计一款运动辅助产品'] },
  'paint/scenes': { vars: { products: '智能跳绳、护膝支架、心率手环', count: 3 }, count: 3, mentions: ['智能跳绳、护膝支架、心率手环'] },
  'paint/scene-sd-prompts': { vars: { scenes: '健身房、城市公园', count: 2 }, count: 2, mentions: ['健身房、城市公园'] },
  'paint/abstracts': { vars: { products: '智能跳绳、护膝支架', count: 2 }, count: 2, mentions: ['智能跳绳、护膝支架'] },
  'paint/concretes': { vars: { products: '智能跳绳、护膝支架、筋膜枪', count: 3 }, count: 3, mentions: ['筋膜枪'] },
  'paint/scheme-name': {
    vars: { designTask: '设计一款运动辅助产品', texts: '可折叠，夜跑照明', hasImage: true },
    count: null,
    mentions: ['设计一款运动辅助产品', '可折叠，夜跑照明'],
  },
  'paint/scheme-names': {
    vars: {
      designTask: '设计一款运动辅助产品',
      schemes: [
        { number: 1, imageNumber: 1, texts: '可折叠' },
        { number: 2, imageNumber: null, texts: '心率提醒' },
        { number: 3, imageNumber: 2, texts: '防滑' },
      ],
      count: 3,
    },
    count: 3,
    mentions: ['可折叠', '心率提醒', '防滑'],
  },
  'paint/select': {
    vars: {
      designTask: '设计一款运动辅助产品',
      total: 3,
      schemes: [
        { name: '智能计数跳绳', texts: '可折叠' },
        { name: '心率监测手环', texts: '心率提醒' },
        { name: '夜跑安全臂灯', texts: '防滑' },
      ],
      count: 2,
    },
    count: 2,
    mentions: ['智能计数跳绳', '心率监测手环', '夜跑安全臂灯'],
  },
  'paint/convergence-scenes': {
    vars: { schemeCount: 2, sketchCount: 1, num: 2, schemes, count: 4 },
    count: 4,
    mentions: ['可折叠，夜跑照明', '心率提醒'],
  },
  'paint/convergence-concretes': {
    vars: { schemeCount: 2, sketchCount: 1, num: 2, schemes, count: 4 },
    count: 4,
    mentions: ['可折叠，夜跑照明', '心率提醒'],
  },
  'paint/product-sd-prompts': {
    vars: { concretes: ['智能跳绳采用铝合金外壳，内置压力传感器。', '护膝支架采用碳纤维外壳，配有折叠铰链。'], count: 2 },
    count: 2,
    mentions: ['智能跳绳采用铝合金外壳', '护膝支架采用碳纤维外壳'],
  },
};

describe('PromptService', () => {
  let temp: string | undefined;

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    if (temp) rmSync(temp, { recursive: true, force: true });
    temp = undefined;
  });

  const tempCopy = (): string => {
    temp = mkdtempSync(join(tmpdir(), 'inspilot-prompts-'));
    cpSync(PROMPTS_DIR, temp, { recursive: true });
    return temp;
  };

  it('has a test case for every template under prompts/paint', () => {
    const templates = readdirSync(join(PROMPTS_DIR, 'paint'))
      .filter((file) => file.endsWith('.hbs'))
      .map((file) => `paint/${file.slice(0, -'.hbs'.length)}`)
      .sort();
    expect(templates).toEqual(Object.keys(STEP_VARIABLES).sort());
  });

  describe.each(Object.entries(STEP_VARIABLES))('%s', (name, { vars, count, mentions }) => {
    it('renders with the variables its step gives', () => {
      const service = serviceFor(PROMPTS_DIR);
      const rendered = service.render(name, vars);
      expect(rendered.template).toBe(name);
      expect(rendered.hash).toMatch(/^[0-9a-f]{8,}$/);
      expect(rendered.text).toBe(rendered.text.trim());
      expect(rendered.text.length).toBeGreaterThan(20);
      for (const mention of mentions) expect(rendered.text).toContain(mention);
      // No Handlebars left over and no "[object Object]" or list literal.
      expect(rendered.text).not.toMatch(/\{\{|\}\}|\[object|\["/);
      if (count === null) {
        expect(rendered.text).not.toMatch(/恰好\s*\d+\s*项/);
      } else {
        expect(rendered.text).toContain(`恰好 ${count} 项`);
        expect(rendered.text).toContain('#');
      }
    });
  });

  it('renders the sketch-less wording of scheme-name', () => {
    const service = serviceFor(PROMPTS_DIR);
    const withImage = service.render('paint/scheme-name', { designTask: '任务', texts: '文字', hasImage: true }).text;
    const without = service.render('paint/scheme-name', { designTask: '任务', texts: '文字', hasImage: false }).text;
    expect(without).not.toBe(withImage);
  });

  describe('a scheme the designer only sketched (no notes)', () => {
    const SKETCH_ONLY = '只画了草图';

    it('scheme-name says so and points at the sketch', () => {
      const service = serviceFor(PROMPTS_DIR);
      const sketched = service.render('paint/scheme-name', { designTask: '任务', texts: '', hasImage: true }).text;
      const written = service.render('paint/scheme-name', { designTask: '任务', texts: '可折叠', hasImage: true }).text;
      expect(sketched).toContain(SKETCH_ONLY);
      expect(sketched).not.toContain('写下的文字：');
      expect(written).toContain('写下的文字：可折叠');
      expect(written).not.toContain(SKETCH_ONLY);
    });

    it('scheme-names and select say so on that scheme only', () => {
      const service = serviceFor(PROMPTS_DIR);
      const names = service.render('paint/scheme-names', {
        designTask: '任务',
        schemes: [
          { number: 1, imageNumber: 1, texts: '' },
          { number: 2, imageNumber: null, texts: '心率提醒' },
        ],
        count: 2,
      }).text;
      expect(names).toMatch(new RegExp(`方案 1（图 1）：[^\n]*${SKETCH_ONLY}`));
      expect(names).toMatch(/方案 2：心率提醒\n/);
      const select = service.render('paint/select', {
        designTask: '任务',
        total: 2,
        schemes: [
          { name: '智能计数跳绳', texts: '' },
          { name: '心率监测手环', texts: '心率提醒' },
        ],
        count: 1,
      }).text;
      expect(select).toMatch(new RegExp(`智能计数跳绳：[^\n]*${SKETCH_ONLY}`));
      expect(select).toContain('心率监测手环：心率提醒\n');
    });

    it.each(['paint/convergence-scenes', 'paint/convergence-concretes'])(
      '%s says the sketches are attached, which scheme is only sketched, and which has nothing',
      (template) => {
        const service = serviceFor(PROMPTS_DIR);
        const text = service.render(template, {
          schemeCount: 3,
          sketchCount: 1,
          num: 1,
          schemes: [
            { number: 1, imageNumber: 1, texts: '' },
            { number: 2, imageNumber: null, texts: '心率提醒' },
            { number: 3, imageNumber: null, texts: '' },
          ],
          count: 3,
        }).text;
        expect(text).toContain('附上了草图');
        expect(text).toMatch(new RegExp(`方案 1（图 1）：[^\n]*${SKETCH_ONLY}`));
        expect(text).toMatch(/方案 2：心率提醒\n/);
        expect(text).toMatch(/方案 3：[^\n]*没有留下文字或草图/);
        const noSketches = service.render(template, { schemeCount: 1, sketchCount: 0, num: 1, schemes: [{ number: 1, imageNumber: null, texts: '防滑' }], count: 1 }).text;
        expect(noSketches).not.toContain('草图');
      },
    );

    it('products names the guessed product alone, or with the notes after a colon', () => {
      const service = serviceFor(PROMPTS_DIR);
      expect(service.render('paint/products', { subject: '智能计数跳绳', notes: '', count: 3 }).text).toMatch(/主题：智能计数跳绳\n/);
      expect(service.render('paint/products', { subject: '智能计数跳绳', notes: '可折叠', count: 3 }).text).toMatch(/主题：智能计数跳绳:可折叠\n/);
    });
  });

  it('fails on a missing variable, naming the template and the variable', () => {
    const service = serviceFor(PROMPTS_DIR);
    expect(() => service.render('paint/products', { count: 6 })).toThrow(/paint\/products[\s\S]*subject|subject[\s\S]*paint\/products/);
    // A variable used only by the partial counts too.
    expect(() => service.render('paint/abstracts', { products: '甲、乙' })).toThrow(/count/);
  });

  it('fails on an unknown template, naming it', () => {
    const service = serviceFor(PROMPTS_DIR);
    expect(() => service.render('paint/nonexistent', {})).toThrow(/paint\/nonexistent/);
  });

  it('knows which templates exist, and where each is read from', () => {
    const service = serviceFor(PROMPTS_DIR);
    expect(service.has('paint/products')).toBe(true);
    expect(service.has('paint/missing-one')).toBe(false);
    // Partials are not templates a step can name.
    expect(service.has('partials/list-format')).toBe(false);
    expect(service.fileOf('paint/missing-one')).toBe(join(PROMPTS_DIR, 'paint', 'missing-one.hbs'));
  });

  it('stops start-up on a template that does not compile, naming its file', () => {
    const dir = tempCopy();
    mkdirSync(join(dir, 'broken'), { recursive: true });
    writeFileSync(join(dir, 'broken', 'unclosed.hbs'), '任务：{{#if task}}{{task}}\n没有结束的块');
    const service = new PromptService({ dir, watch: false });
    expect(() => service.onModuleInit()).toThrow(/unclosed\.hbs/);
  });

  it('changes the hash when the template text changes, and only then', () => {
    const dir = tempCopy();
    const vars = STEP_VARIABLES['paint/products'].vars;
    const before = serviceFor(dir).render('paint/products', vars);
    expect(serviceFor(dir).render('paint/products', vars).hash).toBe(before.hash);

    writeFileSync(join(dir, 'paint', 'products.hbs'), '主题：{{subject}}\n{{> list-format count=count}}\n');
    const after = serviceFor(dir).render('paint/products', vars);
    expect(after.hash).not.toBe(before.hash);
    expect(after.text.startsWith('主题：设计一款运动辅助产品\n')).toBe(true);
    // Another template's hash is untouched by this change.
    expect(serviceFor(dir).render('paint/scenes', STEP_VARIABLES['paint/scenes'].vars).hash).toBe(
      serviceFor(PROMPTS_DIR).render('paint/scenes', STEP_VARIABLES['paint/scenes'].vars).hash,
    );
  });
});
