import { Injectable } from '@nestjs/common';
import { GenerationRunFactory } from '../../../engine/generation-engine.service';
import type { ImageOutcome } from '../../../engine/generation-run';
import { defineGraph, executeGraph } from '../../../engine/step-graph';
import type { GenerationContext, Pipeline } from '../../../engine/generation-app';
import { Creative, CreativeType, creativesWithImages, imageItem, joinItems, textItem } from '../creatives';
import { RapidDivergenceInput } from './inputs.dto';

export const RAPID_DIVERGENCE_GRAPH = defineGraph({
  products: { kind: 'gpt', template: 'paint/products', deps: [] },
  scenes: { kind: 'gpt', template: 'paint/scenes', deps: ['products'] },
  sdPrompts: { kind: 'gpt', template: 'paint/scene-sd-prompts', deps: ['scenes'] },
  images: { kind: 'sd', style: 'scene', deps: ['sdPrompts'] },
  abstracts: { kind: 'gpt', template: 'paint/abstracts', deps: ['products'] },
});

interface Steps extends Record<string, unknown> {
  products: string[];
  scenes: string[];
  sdPrompts: string[];
  images: ImageOutcome[];
  abstracts: string[];
}

/** Type 0: scene pictures of products related to the task, each with an abstract principle. */
@Injectable()
export class RapidDivergencePipeline implements Pipeline<RapidDivergenceInput> {
  readonly type = 0;
  readonly name = 'rapid-divergence';
  readonly input = RapidDivergenceInput;
  readonly graph = RAPID_DIVERGENCE_GRAPH;

  constructor(private readonly runs: GenerationRunFactory) {}

  run(input: RapidDivergenceInput, context: GenerationContext): Promise<{ count: number; result: Creative[] }> {
    const run = this.runs.create(this.graph, context.recorder);
    const n = input.num;
    return run.execute(async () => {
      const steps = await executeGraph<Steps>(this.graph, {
        products: () => run.list('products', { subject: input.task }, n),
        scenes: ({ products }) => run.list('scenes', { products: joinItems(products) }, n),
        sdPrompts: ({ scenes }) => run.list('sdPrompts', { scenes: joinItems(scenes) }, n),
        images: ({ sdPrompts }) => run.images('images', sdPrompts),
        abstracts: ({ products }) => run.list('abstracts', { products: joinItems(products) }, n),
      });
      const result = creativesWithImages([steps.images], ([image], index) => ({
        type: CreativeType.RapidAbstract,
        displayType: 'sequence',
        items: [imageItem('abstractImage', image), textItem('abstractText', steps.abstracts[index])],
      }));
      return { count: result.length, result };
    });
  }
}
