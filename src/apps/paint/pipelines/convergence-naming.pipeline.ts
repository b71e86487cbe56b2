import { Injectable } from '@nestjs/common';
import { GenerationRunFactory } from '../../../engine/generation-engine.service';
import { defineGraph, executeGraph } from '../../../engine/step-graph';
import type { GenerationContext, Pipeline } from '../../../engine/generation-app';
import { joinTexts } from '../creatives';
import { ConvergenceNamingInput } from './inputs.dto';

export const CONVERGENCE_NAMING_GRAPH = defineGraph({
  names: { kind: 'vision', template: 'paint/scheme-names', deps: [] },
  selected: { kind: 'gpt', template: 'paint/select', deps: ['names'] },
});

interface Steps extends Record<string, unknown> {
  names: string[];
  selected: string[];
}

/** Type 2: names every scheme from its sketch and notes, then picks the most novel and practical. */
@Injectable()
export class ConvergenceNamingPipeline implements Pipeline<ConvergenceNamingInput> {
  readonly type = 2;
  readonly name = 'convergence-naming';
  readonly input = ConvergenceNamingInput;
  readonly graph = CONVERGENCE_NAMING_GRAPH;

  constructor(private readonly runs: GenerationRunFactory) {}

  run(input: ConvergenceNamingInput, context: GenerationContext): Promise<{ names: string[]; selected: string[] }> {
    const run = this.runs.create(this.graph, context.recorder);
    const count = input.schemes.length;
    // Images go to the model in scheme order; schemes without a sketch are described by text only.
    let imageNumber = 0;
    const schemes = input.schemes.map((scheme, index) => ({
      number: index + 1,
      imageNumber: scheme.designImage ? ++imageNumber : null,
      texts: joinTexts(scheme.designTexts),
    }));
    const images = input.schemes.flatMap((scheme) => (scheme.designImage ? [scheme.designImage] : []));
    return run.execute(() =>
      executeGraph<Steps>(this.graph, {
        names: () => run.list('names', { designTask: input.designTask, schemes }, count, { images: images.length ? images : undefined }),
        selected: ({ names }) =>
          run.list(
            'selected',
            {
              designTask: input.designTask,
              total: count,
              schemes: names.map((name, index) => ({ name, texts: schemes[index].texts })),
            },
            Math.min(input.selectNum, new Set(names).size),
            // The front end matches the choice back to schemes by name.
            { within: names },
          ),
      }).then(({ names, selected }) => ({ names, selected })),
    );
  }
}
