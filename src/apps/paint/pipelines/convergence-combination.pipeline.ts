import { Injectable } from '@nestjs/common';
import {
  defineGraph,
  finalCreatives,
  GenerationPipeline,
  madeImage,
  PipelineCreatives,
  RegisterPipeline,
  StepInputs,
  StepResults,
} from '../../../engine';
import { Creative, CreativeType, groupItem, imageItem, joinItems, textItem } from '../creatives';
import { ConvergenceCombinationInput } from './inputs.dto';
import { ConvergenceCombinationOutput } from './outputs.dto';
import { describeSchemes } from './scheme-content';

export const CONVERGENCE_COMBINATION_GRAPH = defineGraph({
  scenes: { kind: 'vision', answer: 'list', template: 'paint/convergence-scenes', deps: [] },
  scenePrompts: { kind: 'gpt', answer: 'list', template: 'paint/scene-sd-prompts', deps: ['scenes'] },
  sceneImages: { kind: 'sd', style: 'paint/scene', deps: ['scenePrompts'] },
  concretes: { kind: 'vision', answer: 'list', template: 'paint/convergence-concretes', deps: [] },
  productPrompts: { kind: 'gpt', answer: 'list', template: 'paint/product-sd-prompts', deps: ['concretes'] },
  productImages: { kind: 'sd', style: 'paint/product', deps: ['productPrompts'] },
});

type Graph = typeof CONVERGENCE_COMBINATION_GRAPH;

@RegisterPipeline()
@Injectable()
export class ConvergenceCombinationPipeline extends GenerationPipeline<Graph, ConvergenceCombinationInput, ConvergenceCombinationOutput> {
  readonly type = 3;
  readonly name = 'convergence-combination';
  readonly summary = 'For each chosen scheme, usage scenes and product renders with their function statements';
  readonly input = ConvergenceCombinationInput;
  readonly output = ConvergenceCombinationOutput;
  readonly graph = CONVERGENCE_COMBINATION_GRAPH;

  steps({ selectedSchemes, num }: ConvergenceCombinationInput): StepInputs<Graph> {
    const total = selectedSchemes.length * num;
    // Both first steps read the schemes, so both are shown the sketches.
    const { described, sketches } = describeSchemes(selectedSchemes);
    const schemeVars = { schemeCount: selectedSchemes.length, sketchCount: sketches.length, num, schemes: described };
    return {
      scenes: () => ({ vars: schemeVars, count: total, images: sketches }),
      scenePrompts: ({ scenes }) => ({ vars: { scenes: joinItems(scenes) }, count: total }),
      sceneImages: ({ scenePrompts }) => ({ prompts: scenePrompts }),
      concretes: () => ({ vars: schemeVars, count: total, images: sketches }),
      productPrompts: ({ concretes }) => ({ vars: { concretes }, count: total }),
      productImages: ({ productPrompts }) => ({ prompts: productPrompts }),
    };
  }

  /** Creative `index`: scene picture `index`, product render `index` and function statement `index`. */
  readonly creatives: PipelineCreatives<Graph, ConvergenceCombinationInput, Creative> = {
    count: ({ selectedSchemes, num }) => selectedSchemes.length * num,
    build: (index, { sceneImages, productImages, concretes }) => {
      const scene = madeImage(sceneImages, index);
      const product = madeImage(productImages, index);
      if (!scene || !product || !concretes) return undefined;
      return {
        type: CreativeType.ConvergenceTwo,
        displayType: 'direct',
        items: [groupItem('groupTypeTwo', [imageItem('abstractImage', scene), imageItem('concreteImage', product), textItem('concreteText', concretes[index])])],
      };
    },
  };

  result(results: StepResults<Graph>, input: ConvergenceCombinationInput): ConvergenceCombinationOutput {
    const result = finalCreatives(this.creatives, [results.sceneImages, results.productImages], results, input);
    return { result };
  }
}
