import { Injectable } from '@nestjs/common';
import { GenerationRunFactory } from '../../../engine/generation-engine.service';
import type { ImageOutcome } from '../../../engine/generation-run';
import { defineGraph, executeGraph } from '../../../engine/step-graph';
import type { GenerationContext, Pipeline } from '../../../engine/generation-app';
import { Creative, CreativeType, creativesWithImages, imageItem, joinItems, joinTexts, textItem } from '../creatives';
import { DeepDivergenceInput } from './inputs.dto';

/** Creatives per scheme (docs/pipelines.md: three creatives). */
const CREATIVES = 3;

export const DEEP_DIVERGENCE_GRAPH = defineGraph({
  name: { kind: 'vision', template: 'paint/scheme-name', deps: [] },
  products: { kind: 'gpt', template: 'paint/products', deps: ['name'] },
  scenes: { kind: 'gpt', template: 'paint/scenes', deps: ['products'] },
  sdPrompts: { kind: 'gpt', template: 'paint/scene-sd-prompts', deps: ['scenes'] },
  images: { kind: 'sd', style: 'scene', deps: ['sdPrompts'] },
  abstracts: { kind: 'gpt', template: 'paint/abstracts', deps: ['products'] },
  concretes: { kind: 'gpt', template: 'paint/concretes', deps: ['products'] },
});

interface Steps extends Record<string, unknown> {
  name: string;
  products: string[];
  scenes: string[];
  sdPrompts: string[];
  images: ImageOutcome[];
  abstracts: string[];
  concretes: string[];
}

/** Type 1: guesses what a sketched scheme is, then stimuli around it, abstract and concrete. */
@Injectable()
export class DeepDivergencePipeline implements Pipeline<DeepDivergenceInput> {
  readonly type = 1;
  readonly name = 'deep-divergence';
  readonly input = DeepDivergenceInput;
  readonly graph = DEEP_DIVERGENCE_GRAPH;

  constructor(private readonly runs: GenerationRunFactory) {}

  run(input: DeepDivergenceInput, context: GenerationContext): Promise<{ schemeId: number; count: number; result: Creative[] }> {
    const run = this.runs.create(this.graph, context.recorder);
    const texts = joinTexts(input.designTexts);
    return run.execute(async () => {
      const steps = await executeGraph<Steps>(this.graph, {
        name: () =>
          run.text(
            'name',
            { designTask: input.designTask, texts, hasImage: Boolean(input.designImage) },
            input.designImage ? [input.designImage] : undefined,
          ),
        products: ({ name }) => run.list('products', { subject: `${name}:${texts}` }, CREATIVES),
        scenes: ({ products }) => run.list('scenes', { products: joinItems(products) }, CREATIVES),
        sdPrompts: ({ scenes }) => run.list('sdPrompts', { scenes: joinItems(scenes) }, CREATIVES),
        images: ({ sdPrompts }) => run.images('images', sdPrompts),
        abstracts: ({ products }) => run.list('abstracts', { products: joinItems(products) }, CREATIVES),
        concretes: ({ products }) => run.list('concretes', { products: joinItems(products) }, CREATIVES),
      });
      const result = creativesWithImages([steps.images], ([image], index) => ({
        type: CreativeType.Deep,
        displayType: 'sequence',
        items: [
          imageItem('abstractImage', image),
          textItem('abstractText', steps.abstracts[index]),
          textItem('concreteText', steps.concretes[index]),
        ],
      }));
      return { schemeId: input.schemeId, count: result.length, result };
    });
  }
}
