import { Injectable } from '@nestjs/common';
import { GenerationRunFactory } from '../../../engine/generation-engine.service';
import type { ImageOutcome } from '../../../engine/generation-run';
import { defineGraph, executeGraph } from '../../../engine/step-graph';
import type { GenerationContext, Pipeline } from '../../../engine/generation-app';
import { Creative, CreativeType, creativesWithImages, groupItem, imageItem, joinItems, joinTexts, textItem } from '../creatives';
import { ConvergenceCombinationInput } from './inputs.dto';

export const CONVERGENCE_COMBINATION_GRAPH = defineGraph({
  scenes: { kind: 'gpt', template: 'paint/convergence-scenes', deps: [] },
  scenePrompts: { kind: 'gpt', template: 'paint/scene-sd-prompts', deps: ['scenes'] },
  sceneImages: { kind: 'sd', style: 'scene', deps: ['scenePrompts'] },
  concretes: { kind: 'gpt', template: 'paint/convergence-concretes', deps: [] },
  productPrompts: { kind: 'gpt', template: 'paint/product-sd-prompts', deps: ['concretes'] },
  productImages: { kind: 'sd', style: 'product', deps: ['productPrompts'] },
});

interface Steps extends Record<string, unknown> {
  scenes: string[];
  scenePrompts: string[];
  sceneImages: ImageOutcome[];
  concretes: string[];
  productPrompts: string[];
  productImages: ImageOutcome[];
}

/** Type 3: for each chosen scheme, usage scenes and product renders with their function statements. */
@Injectable()
export class ConvergenceCombinationPipeline implements Pipeline<ConvergenceCombinationInput> {
  readonly type = 3;
  readonly name = 'convergence-combination';
  readonly input = ConvergenceCombinationInput;
  readonly graph = CONVERGENCE_COMBINATION_GRAPH;

  constructor(private readonly runs: GenerationRunFactory) {}

  run(input: ConvergenceCombinationInput, context: GenerationContext): Promise<{ result: Creative[] }> {
    const run = this.runs.create(this.graph, context.recorder);
    const total = input.selectedSchemes.length * input.num;
    const schemeVars = {
      schemeCount: input.selectedSchemes.length,
      num: input.num,
      schemes: input.selectedSchemes.map((scheme, index) => ({ number: index + 1, texts: joinTexts(scheme.designTexts) })),
    };
    return run.execute(async () => {
      const steps = await executeGraph<Steps>(this.graph, {
        scenes: () => run.list('scenes', schemeVars, total),
        scenePrompts: ({ scenes }) => run.list('scenePrompts', { scenes: joinItems(scenes) }, total),
        sceneImages: ({ scenePrompts }) => run.images('sceneImages', scenePrompts),
        concretes: () => run.list('concretes', schemeVars, total),
        productPrompts: ({ concretes }) => run.list('productPrompts', { concretes }, total),
        productImages: ({ productPrompts }) => run.images('productImages', productPrompts),
      });
      const result = creativesWithImages([steps.sceneImages, steps.productImages], ([scene, product], index) => ({
        type: CreativeType.ConvergenceTwo,
        displayType: 'direct',
        items: [
          groupItem('groupTypeTwo', [
            imageItem('abstractImage', scene),
            imageItem('concreteImage', product),
            textItem('concreteText', steps.concretes[index]),
          ]),
        ],
      }));
      return { result };
    });
  }
}
