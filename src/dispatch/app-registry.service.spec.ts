import { Logger } from '@nestjs/common';
import type { DiscoveryService } from '@nestjs/core';
import { resolve } from 'node:path';
import { ConvergenceNamingPipeline } from '../apps/paint/pipelines/convergence-naming.pipeline';
import { DeepDivergencePipeline } from '../apps/paint/pipelines/deep-divergence.pipeline';
import { RapidDivergencePipeline } from '../apps/paint/pipelines/rapid-divergence.pipeline';
import { BusinessError } from '../common/errors';
import { ResultCode } from '../common/result-code';
import { defineGraph, GenerationApp, GenerationPipeline, StepInputs } from '../engine';
import type { AnyPipeline } from '../engine/generation-pipeline';
import { RegisterGenerationApp } from '../engine/generation-app';
import { RegisterPipeline } from '../engine/generation-pipeline';
import { ImageStyleService } from '../prompts/image-style.service';
import { PromptService } from '../prompts/prompt.service';
import { AppRegistry } from './app-registry.service';

const PROMPTS_DIR = resolve(__dirname, '../../prompts');

class NoInput {}

/** A list step, then one image per item, with the given template and image style. */
const ideasGraph = (template: string, style: string) =>
  defineGraph({
    ideas: { kind: 'gpt', answer: 'list', template, deps: [] },
    images: { kind: 'sd', style, deps: ['ideas'] },
  });
type IdeasGraph = ReturnType<typeof ideasGraph>;

/** Files that exist (the paint app's), and files that do not. */
const FOUND = ideasGraph('paint/products', 'paint/scene');
const MISSING = ideasGraph('essay/ideas', 'essay/illustration');

/** A pipeline of the given type; never run here. */
class EssayPipeline extends GenerationPipeline<IdeasGraph, NoInput, unknown> {
  readonly summary = 'ideas';
  readonly input = NoInput;
  readonly output = NoInput;

  constructor(
    readonly type: number,
    readonly name: string,
    readonly graph: IdeasGraph,
  ) {
    super();
  }

  steps(): StepInputs<IdeasGraph> {
    return { ideas: () => ({ vars: {}, count: 1 }), images: ({ ideas }) => ({ prompts: ideas }) };
  }

  result(): unknown {
    return {};
  }
}

const pipeline = (type: number, name: string, graph = FOUND): AnyPipeline => new EssayPipeline(type, name, graph);
const app = (id: number, name: string): GenerationApp => ({ id, name });

/** A Nest module as discovery reports a provider's host. */
const moduleNamed = (name: string) => ({ metatype: { name } });

/** A DiscoveryService stand-in: each provider with its instance and host module, found by its decorator. */
function discoveryOf(providers: { app?: GenerationApp; pipeline?: AnyPipeline; host: object }[]): DiscoveryService {
  return {
    getProviders: ({ metadataKey }: { metadataKey: string }) =>
      providers
        .map(({ app, pipeline, host }) => ({ instance: metadataKey === RegisterGenerationApp.KEY ? app : metadataKey === RegisterPipeline.KEY ? pipeline : undefined, host }))
        .filter((wrapper) => wrapper.instance),
  } as unknown as DiscoveryService;
}

function registryOf(providers: Parameters<typeof discoveryOf>[0] = []): AppRegistry {
  const prompts = new PromptService({ dir: PROMPTS_DIR, watch: false });
  prompts.onModuleInit();
  const styles = new ImageStyleService({ dir: PROMPTS_DIR, watch: false });
  styles.onModuleInit();
  return new AppRegistry(discoveryOf(providers), prompts, styles);
}

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('AppRegistry', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('refuses a second app with the same APP_ID, naming both apps and the id', () => {
    const registry = registryOf();
    registry.register(app(0, 'paint'), []);
    const error = caught(() => registry.register(app(0, 'essay'), []));
    expect(error.message).toContain('paint');
    expect(error.message).toContain('essay');
    expect(error.message).toMatch(/APP_ID 0\b/);
    // Not a business failure: it stops the start-up.
    expect(error).not.toBeInstanceOf(BusinessError);
    expect(registry.list().map((a) => a.name)).toEqual(['paint']);
  });

  it('refuses an app that declares a type twice, naming both pipelines', () => {
    const registry = registryOf();
    expect(() => registry.register(app(1, 'paint'), [pipeline(0, 'rapid'), pipeline(0, 'again')])).toThrow(/"paint".*type 0.*"rapid".*"again"/);
    expect(registry.list()).toEqual([]);
  });

  it("gives each app the pipelines of its own module, found at start through discovery", () => {
    const paintModule = moduleNamed('PaintModule');
    const essayModule = moduleNamed('EssayModule');
    const paint = app(0, 'paint');
    const essay = app(5, 'essay');
    const rapid = new RapidDivergencePipeline();
    const outline = pipeline(0, 'outline');
    const registry = registryOf([
      { pipeline: rapid, host: paintModule },
      { app: essay, host: essayModule },
      { pipeline: outline, host: essayModule },
      { app: paint, host: paintModule },
      { pipeline: new DeepDivergencePipeline(), host: paintModule },
    ]);
    registry.onApplicationBootstrap();
    expect(registry.list().map((a) => a.id).sort()).toEqual([0, 5]);
    expect(registry.resolve(0, 0)).toEqual({ app: paint, pipeline: rapid });
    expect(registry.resolve(0, 1).pipeline.name).toBe('deep-divergence');
    expect(registry.resolve(5, 0)).toEqual({ app: essay, pipeline: outline });
    expect(() => registry.resolve(5, 1)).toThrow(/known types: 0 \(outline\)/);
  });

  it('refuses a duplicate APP_ID found through discovery', () => {
    const registry = registryOf([
      { app: app(0, 'paint'), host: moduleNamed('PaintModule') },
      { app: app(0, 'copy'), host: moduleNamed('CopyModule') },
    ]);
    expect(() => registry.onApplicationBootstrap()).toThrow(/"paint" and "copy"/);
  });

  it('refuses a pipeline whose module provides no app, naming the pipeline, its class and the module', () => {
    const registry = registryOf([
      { app: app(0, 'paint'), host: moduleNamed('PaintModule') },
      { pipeline: pipeline(0, 'ideas'), host: moduleNamed('EssayModule') },
    ]);
    const error = caught(() => registry.onApplicationBootstrap());
    expect(error.message).toMatch(/"ideas" \(EssayPipeline\) is provided by EssayModule, which provides no app/);
  });

  it('refuses two DTO classes of the same name, which would share one schema in the API docs', () => {
    const paintModule = moduleNamed('PaintModule');
    const essayModule = moduleNamed('EssayModule');
    // A class of its own, named like the paint app's type-0 input.
    const lookalike = { RapidDivergenceInput: class {} }.RapidDivergenceInput;
    const essayPipeline = Object.assign(pipeline(0, 'ideas'), { input: lookalike });
    const registry = registryOf([
      { app: app(0, 'paint'), host: paintModule },
      { pipeline: new RapidDivergencePipeline(), host: paintModule },
      { app: app(1, 'essay'), host: essayModule },
      { pipeline: essayPipeline, host: essayModule },
    ]);
    expect(() => registry.onApplicationBootstrap()).toThrow(/Two DTO classes are named RapidDivergenceInput \(app "paint" type 0 and app "essay" type 0\)/);
  });

  it('refuses a module that provides two apps', () => {
    const shared = moduleNamed('SharedModule');
    const registry = registryOf([
      { app: app(0, 'paint'), host: shared },
      { app: app(1, 'essay'), host: shared },
    ]);
    expect(() => registry.onApplicationBootstrap()).toThrow(/SharedModule provides two apps, "paint" and "essay"/);
  });

  it('refuses at start every template and image style a pipeline names that does not exist, naming app, pipeline, step and file', () => {
    const essayModule = moduleNamed('EssayModule');
    const registry = registryOf([
      { app: app(1, 'essay'), host: essayModule },
      { pipeline: pipeline(0, 'ideas', MISSING), host: essayModule },
      { pipeline: pipeline(1, 'more-ideas', MISSING), host: essayModule },
      { pipeline: pipeline(2, 'found'), host: essayModule },
    ]);
    const message = caught(() => registry.onApplicationBootstrap()).message;
    const lines = message.split('\n').slice(1);
    expect(lines).toHaveLength(4);
    expect(lines).toContain(
      `  - App "essay" pipeline "ideas" (type 0) step "ideas" needs template "essay/ideas": no file ${resolve(PROMPTS_DIR, 'essay/ideas.hbs')}`,
    );
    expect(lines).toContain(
      `  - App "essay" pipeline "more-ideas" (type 1) step "images" needs image style "essay/illustration": no file ${resolve(PROMPTS_DIR, 'essay/styles/illustration.json')}`,
    );
  });

  it("passes the paint app's pipelines, whose files all exist", () => {
    const paintModule = moduleNamed('PaintModule');
    const registry = registryOf([
      { app: app(0, 'paint'), host: paintModule },
      { pipeline: new RapidDivergencePipeline(), host: paintModule },
      { pipeline: new DeepDivergencePipeline(), host: paintModule },
      { pipeline: new ConvergenceNamingPipeline(), host: paintModule },
    ]);
    expect(() => registry.onApplicationBootstrap()).not.toThrow();
    expect(registry.resolve(0, 2).pipeline.name).toBe('convergence-naming');
  });

  it('answers an unknown appid with a business failure listing the known apps', () => {
    const registry = registryOf();
    registry.register(app(0, 'paint'), []);
    registry.register(app(2, 'essay'), []);
    const error = caught(() => registry.resolve(9, 0));
    expect(error).toBeInstanceOf(BusinessError);
    expect(error).toMatchObject({ code: ResultCode.Business, status: 400 });
    expect(error.message).toContain('9');
    expect(error.message).toContain('0 (paint)');
    expect(error.message).toContain('2 (essay)');
  });

  it('answers an unknown type with a business failure listing the known types', () => {
    const registry = registryOf();
    registry.register(app(0, 'paint'), [pipeline(0, 'rapid'), pipeline(3, 'converge')]);
    const error = caught(() => registry.resolve(0, 7));
    expect(error).toBeInstanceOf(BusinessError);
    expect(error).toMatchObject({ code: ResultCode.Business, status: 400 });
    expect(error.message).toMatch(/type 7/);
    expect(error.message).toContain('0 (rapid)');
    expect(error.message).toContain('3 (converge)');
  });

  it('says so when there is nothing to list', () => {
    const empty = registryOf();
    expect(() => empty.resolve(0, 0)).toThrow(/none/);
    empty.register(app(0, 'paint'), []);
    expect(() => empty.resolve(0, 0)).toThrow(/known types: none/);
  });
});
