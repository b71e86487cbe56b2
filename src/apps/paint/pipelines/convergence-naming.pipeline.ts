import { Injectable } from '@nestjs/common';
import { defineGraph, GenerationPipeline, RegisterPipeline, StepInputs, StepResults } from '../../../engine';
import { ConvergenceNamingInput } from './inputs.dto';
import { ConvergenceNamingOutput } from './outputs.dto';
import { describeSchemes } from './scheme-content';

export const CONVERGENCE_NAMING_GRAPH = defineGraph({
  names: { kind: 'vision', answer: 'list', template: 'paint/scheme-names', deps: [] },
  selected: { kind: 'gpt', answer: 'list', template: 'paint/select', deps: ['names'] },
});

type Graph = typeof CONVERGENCE_NAMING_GRAPH;

@RegisterPipeline()
@Injectable()
export class ConvergenceNamingPipeline extends GenerationPipeline<Graph, ConvergenceNamingInput, ConvergenceNamingOutput> {
  readonly type = 2;
  readonly name = 'convergence-naming';
  readonly summary = 'Names every scheme from its sketch and notes, then picks the most novel and practical';
  readonly input = ConvergenceNamingInput;
  readonly output = ConvergenceNamingOutput;
  readonly graph = CONVERGENCE_NAMING_GRAPH;
  readonly example: ConvergenceNamingInput = {
    designTask: '设计一款运动辅助产品',
    schemes: [{ designTexts: ['可折叠', '夜跑照明'] }, { designTexts: ['计数跳绳', '语音提示'] }, { designTexts: ['心率监测', '震动提醒'] }],
    selectNum: 2,
  };

  steps({ designTask, schemes, selectNum }: ConvergenceNamingInput): StepInputs<Graph> {
    const { described, sketches } = describeSchemes(schemes);
    return {
      names: () => ({ vars: { designTask, schemes: described }, count: schemes.length, images: sketches }),
      selected: ({ names }) => ({
        vars: { designTask, total: schemes.length, schemes: names.map((name, index) => ({ name, texts: described[index].texts })) },
        count: Math.min(selectNum, new Set(names).size),
        // The front end matches the choice back to schemes by name.
        within: names,
      }),
    };
  }

  result({ names, selected }: StepResults<Graph>): ConvergenceNamingOutput {
    return { names, selected };
  }
}
