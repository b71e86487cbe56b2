import { Logger } from '@nestjs/common';
import type { DiscoveryService } from '@nestjs/core';
import { BusinessError } from '../common/errors';
import { ResultCode } from '../common/result-code';
import { AppRegistry } from './app-registry.service';
import { GenerationApp, Pipeline } from '../engine/generation-app';

class NoInput {}

/** A pipeline with what the registry reads (type, name); the rest is never run here. */
function pipeline(type: number, name: string): Pipeline {
  const stub: Omit<Pipeline, 'graph'> = { type, name, input: NoInput, run: async () => ({ type, name }) };
  return stub as Pipeline;
}

function app(id: number, name: string, pipelines: Pipeline[] = []): GenerationApp {
  return { id, name, pipelines };
}

/** A DiscoveryService stand-in that returns the given providers' instances. */
function discoveryOf(...instances: unknown[]): DiscoveryService {
  return { getProviders: () => instances.map((instance) => ({ instance })) } as unknown as DiscoveryService;
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
    const registry = new AppRegistry(discoveryOf());
    registry.register(app(0, 'paint'));
    const error = caught(() => registry.register(app(0, 'essay')));
    expect(error.message).toContain('paint');
    expect(error.message).toContain('essay');
    expect(error.message).toMatch(/APP_ID 0\b/);
    // Not a business failure: it stops the start-up.
    expect(error).not.toBeInstanceOf(BusinessError);
    expect(registry.list().map((a) => a.name)).toEqual(['paint']);
  });

  it('refuses an app that declares a type twice', () => {
    const registry = new AppRegistry(discoveryOf());
    expect(() => registry.register(app(1, 'paint', [pipeline(0, 'rapid'), pipeline(0, 'again')]))).toThrow(/"paint".*type 0/);
    expect(registry.list()).toEqual([]);
  });

  it('finds the apps at start through discovery, and refuses a duplicate there too', () => {
    const paint = app(0, 'paint', [pipeline(0, 'rapid')]);
    const registry = new AppRegistry(discoveryOf(paint, undefined, app(5, 'essay')));
    registry.onModuleInit();
    expect(registry.list().map((a) => a.id).sort()).toEqual([0, 5]);
    expect(registry.resolve(0, 0).app).toBe(paint);

    const clash = new AppRegistry(discoveryOf(paint, app(0, 'copy')));
    expect(() => clash.onModuleInit()).toThrow(/"paint" and "copy"/);
  });

  it('resolves a registered app and type to its pipeline', () => {
    const registry = new AppRegistry(discoveryOf());
    const rapid = pipeline(0, 'rapid');
    const deep = pipeline(1, 'deep');
    const paint = app(0, 'paint', [rapid, deep]);
    registry.register(paint);
    registry.register(app(2, 'essay', [pipeline(0, 'outline')]));
    expect(registry.resolve(0, 1)).toEqual({ app: paint, pipeline: deep });
    expect(registry.resolve(2, 0).pipeline.name).toBe('outline');
  });

  it('answers an unknown appid with a business failure listing the known apps', () => {
    const registry = new AppRegistry(discoveryOf());
    registry.register(app(0, 'paint'));
    registry.register(app(2, 'essay'));
    const error = caught(() => registry.resolve(9, 0));
    expect(error).toBeInstanceOf(BusinessError);
    expect(error).toMatchObject({ code: ResultCode.Business, status: 400 });
    expect(error.message).toContain('9');
    expect(error.message).toContain('0 (paint)');
    expect(error.message).toContain('2 (essay)');
  });

  it('answers an unknown type with a business failure listing the known types', () => {
    const registry = new AppRegistry(discoveryOf());
    registry.register(app(0, 'paint', [pipeline(0, 'rapid'), pipeline(3, 'converge')]));
    const error = caught(() => registry.resolve(0, 7));
    expect(error).toBeInstanceOf(BusinessError);
    expect(error).toMatchObject({ code: ResultCode.Business, status: 400 });
    expect(error.message).toMatch(/type 7/);
    expect(error.message).toContain('0 (rapid)');
    expect(error.message).toContain('3 (converge)');
  });

  it('says so when there is nothing to list', () => {
    const empty = new AppRegistry(discoveryOf());
    expect(() => empty.resolve(0, 0)).toThrow(/none/);
    empty.register(app(0, 'paint'));
    expect(() => empty.resolve(0, 0)).toThrow(/known types: none/);
  });
});
