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
import { DeepDivergenceInput } from './inputs.dto';
import { DeepDivergenceOutput } from './outputs.dto';
import { joinTexts } from './scheme-content';

/** Creatives per scheme (docs/pipelines.md: three creatives). */
const CREATIVES = 3;

export const DEEP_DIVERGENCE_GRAPH = defineGraph({
  name: { kind: 'vision', answer: 'text', template: 'paint/scheme-name', deps: [] },
  products: { kind: 'gpt', answer: 'list', template: 'paint/products', deps: ['name'] },
  scenes: { kind: 'gpt', answer: 'list', template: 'paint/scenes', deps: ['products'] },
  sdPrompts: { kind: 'gpt', answer: 'list', template: 'paint/scene-sd-prompts', deps: ['scenes'] },
  images: { kind: 'sd', style: 'paint/scene', deps: ['sdPrompts'] },
  abstracts: { kind: 'gpt', answer: 'list', template: 'paint/abstracts', deps: ['products'] },
  concretes: { kind: 'gpt', answer: 'list', template: 'paint/concretes', deps: ['products'] },
});

type Graph = typeof DEEP_DIVERGENCE_GRAPH;

@RegisterPipeline()
@Injectable()
export class DeepDivergencePipeline extends GenerationPipeline<Graph, DeepDivergenceInput, DeepDivergenceOutput> {
  readonly type = 1;
  readonly name = 'deep-divergence';
  readonly summary = 'Guesses what a sketched scheme is, then stimuli around it, abstract and concrete';
  readonly input = DeepDivergenceInput;
  readonly output = DeepDivergenceOutput;
  readonly graph = DEEP_DIVERGENCE_GRAPH;

  steps({ designTask, designTexts, designImage }: DeepDivergenceInput): StepInputs<Graph> {
    const texts = joinTexts(designTexts);
    return {
      name: () => ({ vars: { designTask, texts, hasImage: Boolean(designImage) }, images: designImage ? [designImage] : undefined }),
      products: ({ name }) => ({ vars: { subject: name, notes: texts }, count: CREATIVES }),
      scenes: ({ products }) => ({ vars: { products: joinItems(products) }, count: CREATIVES }),
      sdPrompts: ({ scenes }) => ({ vars: { scenes: joinItems(scenes) }, count: CREATIVES }),
      images: ({ sdPrompts }) => ({ prompts: sdPrompts }),
      abstracts: ({ products }) => ({ vars: { products: joinItems(products) }, count: CREATIVES }),
      concretes: ({ products }) => ({ vars: { products: joinItems(products) }, count: CREATIVES }),
    };
  }

  /** Creative `index`: scene picture `index`, abstract hint `index` and function statement `index`. */
  readonly creatives: PipelineCreatives<Graph, DeepDivergenceInput, Creative> = {
    count: () => CREATIVES,
    build: (index, { images, abstracts, concretes }) => {
      const image = madeImage(images, index);
      if (!image || !abstracts || !concretes) return undefined;
      return {
        type: CreativeType.Deep,
        displayType: 'sequence',
        items: [imageItem('abstractImage', image), textItem('abstractText', abstracts[index]), textItem('concreteText', concretes[index])],
      };
    },
  };

  result(results: StepResults<Graph>, input: DeepDivergenceInput): DeepDivergenceOutput {
    const result = finalCreatives(this.creatives, [results.images], results, input);
    return { schemeId: input.schemeId, count: result.length, result };
  }
}
