import { Injectable } from '@nestjs/common';
import { defineGraph, GenerationPipeline, RegisterPipeline, StepInputs, StepResults, withImages } from '../../../engine';
import { <%= classify(app) %><%= classify(name) %>Input, <%= classify(app) %><%= classify(name) %>Output } from './<%= name %>.dto';

/**
 * The steps: a list of ideas from the model, then one picture per idea. The wording is the
 * template prompts/<%= app %>/<%= name %>.hbs; the picture's style is prompts/<%= app %>/styles/<%= name %>.json.
 */
const GRAPH = defineGraph({
  items: { kind: 'gpt', answer: 'list', template: '<%= app %>/<%= name %>', deps: [] },
  images: { kind: 'sd', style: '<%= app %>/<%= name %>', deps: ['items'] },
});

@RegisterPipeline()
@Injectable()
export class <%= classify(name) %>Pipeline extends GenerationPipeline<typeof GRAPH, <%= classify(app) %><%= classify(name) %>Input, <%= classify(app) %><%= classify(name) %>Output> {
  readonly type = <%= type %>;
  readonly name = '<%= name %>';
  readonly summary = 'Ideas about a subject, each with a picture';
  readonly input = <%= classify(app) %><%= classify(name) %>Input;
  readonly output = <%= classify(app) %><%= classify(name) %>Output;
  readonly graph = GRAPH;

  steps(input: <%= classify(app) %><%= classify(name) %>Input): StepInputs<typeof GRAPH> {
    return {
      items: () => ({ vars: { subject: input.subject }, count: input.num }),
      images: ({ items }) => ({ prompts: items }),
    };
  }

  /** Ideas whose picture could not be made are left out. */
  result(results: StepResults<typeof GRAPH>): <%= classify(app) %><%= classify(name) %>Output {
    const result = withImages([results.images], ([picture], index) => ({ text: results.items[index], image: picture.image }));
    return { count: result.length, result };
  }
}
