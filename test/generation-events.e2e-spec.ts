/**
 * What GenerationEngine.run tells its observer as a run goes: its start, each step's start and
 * end, each image as it is made, and each creative the moment its parts exist — the very
 * creative the answer holds in that slot. Real engine, registry, recorder and simulators.
 */
import { createTestApp, TestApp } from './support/test-app';
import { startSims, type Sims } from './support/simulators';
import { uniqueName } from './support/builders';
import { AppRegistry } from '../src/dispatch/app-registry.service';
import { GenerationEngine } from '../src/engine/generation-engine.service';
import type { RunEvent } from '../src/engine/run-events';
import { ExperimentsService } from '../src/experiments/experiments.service';

describe('the events of a run (e2e, simulators)', () => {
  let sims: Sims;
  let testApp: TestApp;

  /** Paint type `type` as /generate records it, with every event the observer saw. */
  async function observed(type: number, prompts: Record<string, unknown>) {
    const registry = testApp.app.get(AppRegistry);
    const experiments = testApp.app.get(ExperimentsService);
    const { app, pipeline } = registry.resolve(0, type);
    const username = uniqueName('events');
    const recorder = experiments.begin(experiments.prepare(prompts), { app, pipeline, username });
    const events: RunEvent[] = [];
    const output = (await testApp.app.get(GenerationEngine).run(app, pipeline, prompts, { username, recorder, observer: (event) => events.push(event) })) as {
      result: unknown[];
    };
    return { events, output, graph: pipeline.graph as Record<string, { kind: string }> };
  }

  beforeAll(async () => {
    // One instance: images come one at a time, so creatives can only come one at a time too.
    sims = await startSims({ sdCount: 1, gpt: { latencyMs: 20 }, sd: { latencyMs: 40 } });
    testApp = await createTestApp(sims.env);
  });

  afterAll(async () => {
    await testApp?.close();
    await sims?.closeAll();
  });

  it('type 0: started, each step started then succeeded, an image per image, each creative as soon as its image exists', async () => {
    const { events, output, graph } = await observed(0, { task: '设计一款运动辅助产品', num: 3 });
    expect(events[0]).toMatchObject({ type: 'started' });
    for (const name of Object.keys(graph)) {
      const own = events.filter((event) => event.type === 'step' && event.name === name);
      expect(own.map((event) => (event as { status: string }).status)).toEqual(['started', 'succeeded']);
      expect(own[0]).toMatchObject({ kind: graph[name].kind });
    }
    const images = events.filter((event): event is Extract<RunEvent, { type: 'image' }> => event.type === 'image');
    expect(images.map((event) => [event.step, event.index]).sort()).toEqual([
      ['images', 0],
      ['images', 1],
      ['images', 2],
    ]);
    expect(images.every((event) => typeof event.image.imageId === 'string' && event.image.image.length > 0)).toBe(true);

    const creatives = events.filter((event): event is Extract<RunEvent, { type: 'creative' }> => event.type === 'creative');
    expect(creatives.map((event) => event.index).sort()).toEqual([0, 1, 2]);
    for (const creative of creatives) {
      expect(creative.creative).toEqual(output.result[creative.index]);
      // Right after its own image, before the next one is made.
      const at = events.indexOf(creative);
      const image = images.find((event) => event.index === creative.index)!;
      expect(events.indexOf(image)).toBeLessThan(at);
      expect(events.slice(events.indexOf(image) + 1, at).some((event) => event.type === 'image')).toBe(false);
    }
    // The first creative came before the last image: the answer did not wait for it.
    expect(events.indexOf(creatives[0])).toBeLessThan(events.indexOf(images[2]));
    const imagesEnded = events.findIndex((event) => event.type === 'step' && event.name === 'images' && event.status === 'succeeded');
    expect(events.indexOf(creatives[0])).toBeLessThan(imagesEnded);
  });

  it('type 2 has no creatives: only its steps', async () => {
    const { events } = await observed(2, { designTask: '设计一款运动辅助产品', selectNum: 1, schemes: [{ designTexts: ['可折叠'] }, { designTexts: ['夜跑'] }] });
    expect(events.filter((event) => event.type === 'creative' || event.type === 'image')).toEqual([]);
    expect(events.filter((event) => event.type === 'step')).toHaveLength(4);
  });
});
