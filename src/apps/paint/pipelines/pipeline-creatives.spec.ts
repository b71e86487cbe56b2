/**
 * The paint pipelines' creatives: built by one builder for the live events and the answer, and
 * the answer exactly the bytes the front end has always read (each creative built inline below
 * as the pipelines built it before they had creatives).
 */
import { withImages, type ImageOutcome, type MadeImage } from '../../../engine';
import { CreativeType, groupItem, imageItem, textItem } from '../creatives';
import { ConvergenceCombinationPipeline } from './convergence-combination.pipeline';
import { DeepDivergencePipeline } from './deep-divergence.pipeline';
import { RapidDivergencePipeline } from './rapid-divergence.pipeline';

const image = (name: string): MadeImage => ({ image: name, parameters: { prompt: name }, instance: 'http://sd', seed: 1, info: {}, durationMs: 1 });
const made = (name: string): ImageOutcome => ({ ok: true, image: image(name) });
const failed: ImageOutcome = { ok: false, error: new Error('refused') };

describe('paint pipelines: creatives', () => {
  it('type 0: the answer is the bytes of before, each creative as its builder made it', () => {
    const pipeline = new RapidDivergencePipeline();
    const input = { task: '设计一款运动辅助产品', num: 3 };
    const images = [made('i0'), failed, made('i2')];
    const results = { products: ['a', 'b', 'c'], scenes: ['s', 't', 'u'], sdPrompts: ['x', 'y', 'z'], images, abstracts: ['h0', 'h1', 'h2'] };
    const before = withImages([images], ([picture], index) => ({
      type: CreativeType.RapidAbstract,
      displayType: 'sequence' as const,
      items: [imageItem('abstractImage', picture), textItem('abstractText', results.abstracts[index])],
    }));
    const output = pipeline.result(results, input);
    expect(JSON.stringify(output)).toBe(JSON.stringify({ count: before.length, result: before }));
    expect(pipeline.creatives.count(input)).toBe(3);
    expect(output.result).toEqual([pipeline.creatives.build(0, results, input), pipeline.creatives.build(2, results, input)]);
    expect(pipeline.creatives.build(1, results, input)).toBeUndefined();
    // Its image alone is not enough: the hint comes from another step.
    expect(pipeline.creatives.build(0, { images }, input)).toBeUndefined();
  });

  it('type 1: the answer is the bytes of before, schemeId echoed', () => {
    const pipeline = new DeepDivergencePipeline();
    const input = { designTask: '任务', designTexts: ['可折叠'], schemeId: 7 };
    const images = [made('i0'), made('i1'), made('i2')];
    const results = {
      name: '臂灯',
      products: ['a', 'b', 'c'],
      scenes: ['s', 't', 'u'],
      sdPrompts: ['x', 'y', 'z'],
      images,
      abstracts: ['h0', 'h1', 'h2'],
      concretes: ['c0', 'c1', 'c2'],
    };
    const before = withImages([images], ([picture], index) => ({
      type: CreativeType.Deep,
      displayType: 'sequence' as const,
      items: [imageItem('abstractImage', picture), textItem('abstractText', results.abstracts[index]), textItem('concreteText', results.concretes[index])],
    }));
    expect(JSON.stringify(pipeline.result(results, input))).toBe(JSON.stringify({ schemeId: 7, count: 3, result: before }));
    expect(pipeline.creatives.count(input)).toBe(3);
    expect(pipeline.creatives.build(1, { images, abstracts: results.abstracts }, input)).toBeUndefined();
    expect(pipeline.creatives.build(1, { images: [undefined, made('i1')], abstracts: results.abstracts, concretes: results.concretes }, input)).toEqual(
      before[1],
    );
  });

  it('type 3: the answer is the bytes of before; a creative needs its scene and its product', () => {
    const pipeline = new ConvergenceCombinationPipeline();
    const input = { selectedSchemes: [{ designTexts: ['可折叠'] }, { designTexts: ['夜跑'] }], num: 2 };
    const sceneImages = [made('s0'), made('s1'), made('s2'), failed];
    const productImages = [made('p0'), failed, made('p2'), made('p3')];
    const results = {
      scenes: ['a', 'b', 'c', 'd'],
      scenePrompts: ['a', 'b', 'c', 'd'],
      sceneImages,
      concretes: ['c0', 'c1', 'c2', 'c3'],
      productPrompts: ['a', 'b', 'c', 'd'],
      productImages,
    };
    const before = withImages([sceneImages, productImages], ([scene, product], index) => ({
      type: CreativeType.ConvergenceTwo,
      displayType: 'direct' as const,
      items: [groupItem('groupTypeTwo', [imageItem('abstractImage', scene), imageItem('concreteImage', product), textItem('concreteText', results.concretes[index])])],
    }));
    expect(before).toHaveLength(2);
    expect(JSON.stringify(pipeline.result(results, input))).toBe(JSON.stringify({ result: before }));
    expect(pipeline.creatives.count(input)).toBe(4);
    expect(pipeline.creatives.build(2, { sceneImages, concretes: results.concretes }, input)).toBeUndefined();
    expect(pipeline.creatives.build(2, { sceneImages, productImages: [, , made('p2')], concretes: results.concretes }, input)).toEqual(before[1]);
  });
});
