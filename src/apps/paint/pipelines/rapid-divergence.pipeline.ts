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
import { Creative, CreativeType, imageItem, joinItems, textItem } from '../creatives';
import { RapidDivergenceInput } from './inputs.dto';
import { RapidDivergenceOutput } from './outputs.dto';

export const RAPID_DIVERGENCE_GRAPH = defineGraph({
  products: { kind: 'gpt', answer: 'list', template: 'paint/products', deps: [] },
  scenes: { kind: 'gpt', answer: 'list', template: 'paint/scenes', deps: ['products'] },
  sdPrompts: { kind: 'gpt', answer: 'list', template: 'paint/scene-sd-prompts', deps: ['scenes'] },
  images: { kind: 'sd', style: 'paint/scene', deps: ['sdPrompts'] },
  abstracts: { kind: 'gpt', answer: 'list', template: 'paint/abstracts', deps: ['products'] },
});

type Graph = typeof RAPID_DIVERGENCE_GRAPH;

@RegisterPipeline()
@Injectable()
export class RapidDivergencePipeline extends GenerationPipeline<Graph, RapidDivergenceInput, RapidDivergenceOutput> {
  readonly type = 0;
  readonly name = 'rapid-divergence';
  readonly summary = 'Scene pictures of products related to the task, each with an abstract principle';
  readonly input = RapidDivergenceInput;
  readonly output = RapidDivergenceOutput;
  readonly graph = RAPID_DIVERGENCE_GRAPH;

  steps({ task, num }: RapidDivergenceInput): StepInputs<Graph> {
    return {
      // A task has no scheme notes of its own.
      products: () => ({ vars: { subject: task, notes: '' }, count: num }),
      scenes: ({ products }) => ({ vars: { products: joinItems(products) }, count: num }),
      sdPrompts: ({ scenes }) => ({ vars: { scenes: joinItems(scenes) }, count: num }),
      images: ({ sdPrompts }) => ({ prompts: sdPrompts }),
      abstracts: ({ products }) => ({ vars: { products: joinItems(products) }, count: num }),
    };
  }

  /** Creative `index`: scene picture `index` with abstract hint `index`. */
  readonly creatives: PipelineCreatives<Graph, RapidDivergenceInput, Creative> = {
    count: ({ num }) => num,
    build: (index, { images, abstracts }) => {
      const image = madeImage(images, index);
      if (!image || !abstracts) return undefined;
      return {
        type: CreativeType.RapidAbstract,
        displayType: 'sequence',
        items: [imageItem('abstractImage', image), textItem('abstractText', abstracts[index])],
      };
    },
  };

  result(results: StepResults<Graph>, input: RapidDivergenceInput): RapidDivergenceOutput {
    const result = finalCreatives(this.creatives, [results.images], results, input);
    return { count: result.length, result };
  }
}
