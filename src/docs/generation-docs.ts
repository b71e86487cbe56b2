import type { OpenAPIObject } from '@nestjs/swagger';
import type { ExampleObject, ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { envelopeSchema } from '../common/swagger/api-envelope.decorator';
import type { GenerationApp } from '../engine/generation-app';
import type { AnyPipeline } from '../engine/generation-pipeline';
import { exampleOf } from './schema-example';

export interface DocumentedApp {
  app: GenerationApp;
  pipelines: AnyPipeline[];
}

/** The component names of one app type's schemas. */
export interface TypeSchemaNames {
  request: string;
  prompts: string;
  data: string;
}

const GENERATE_PATH = '/generate';
const JOBS_PATH = '/jobs';

const ref = (name: string): ReferenceObject => ({ $ref: `#/components/schemas/${name}` });
const pascal = (kebab: string) => kebab.replace(/(^|[-_\s]+)(\w)/g, (_, __, letter: string) => letter.toUpperCase());

export function typeSchemaNames(app: GenerationApp, pipeline: AnyPipeline): TypeSchemaNames {
  const base = `${pascal(app.name)}${pascal(pipeline.name)}`;
  return { request: `${base}Request`, prompts: pipeline.input.name, data: pipeline.output.name };
}

/** The name of the request body's example of one app type, e.g. "paint · 0 rapid-divergence". */
export const exampleSummary = (app: GenerationApp, pipeline: AnyPipeline) => `${app.name} · ${pipeline.type} ${pipeline.name}`;

/** The DTO classes the document must hold for every app type. */
export function generationModels(apps: DocumentedApp[]): (abstract new (...args: never[]) => unknown)[] {
  return apps.flatMap(({ pipelines }) => pipelines.flatMap((pipeline) => [pipeline.input, pipeline.output]));
}

/**
 * Documents `/generate` (and `POST /jobs`, which takes its body) per app and type from the
 * registry: one request schema per type (its app id and type fixed, its `prompts` the
 * pipeline's input DTO), the answer's `data` as one of the pipelines' output DTOs, and a named,
 * runnable example per type. A new app or pipeline is documented by being registered.
 */
export function documentGeneration(document: OpenAPIObject, apps: DocumentedApp[]): void {
  const schemas = (document.components!.schemas ??= {}) as Record<string, SchemaObject | ReferenceObject>;
  const base = schemas.GenerateDto as SchemaObject;
  const requests: ReferenceObject[] = [];
  const answers: ReferenceObject[] = [];
  const examples: Record<string, ExampleObject> = {};
  for (const { app, pipelines } of apps) {
    for (const pipeline of pipelines) {
      const names = typeSchemaNames(app, pipeline);
      schemas[names.request] = {
        type: 'object',
        title: exampleSummary(app, pipeline),
        description: `${pipeline.summary}. Answers \`data\` as ${names.data}.`,
        required: ['appid', 'type', 'prompts'],
        properties: {
          appid: { type: 'integer', enum: [app.id], description: `The app: ${app.id} is ${app.name}.` },
          type: { type: 'integer', enum: [pipeline.type], description: `${pipeline.type} is ${pipeline.name}.` },
          prompts: ref(names.prompts),
          ...(base.properties?.username ? { username: base.properties.username } : {}),
        },
      };
      requests.push(ref(names.request));
      answers.push(ref(names.data));
      const prompts = pipeline.example ?? exampleOf(ref(names.prompts), schemas);
      examples[`${app.name}-${pipeline.type}`] = {
        summary: exampleSummary(app, pipeline),
        description: pipeline.summary,
        value: { appid: app.id, type: pipeline.type, prompts },
      };
    }
  }
  if (requests.length === 0) return;
  // A job takes the body of /generate.
  for (const path of [GENERATE_PATH, JOBS_PATH]) {
    const operation = document.paths[path]?.post;
    if (operation) {
      operation.requestBody = {
        required: true,
        description: 'One schema per app and type; pick an example to try one.',
        content: { 'application/json': { schema: { oneOf: requests }, examples } },
      };
    }
  }
  const operation = document.paths[GENERATE_PATH]?.post;
  if (!operation) return;
  operation.responses['200'] = {
    description: 'The pipeline\'s answer in the envelope; `data` has the shape of the type asked for.',
    content: { 'application/json': { schema: envelopeSchema({ oneOf: answers }, true, 0, '') } },
  };
}

/** Two DTOs of the same class name would share one schema in the document: the registry refuses them at start. */
export function checkSchemaNames(apps: DocumentedApp[]): void {
  const owners = new Map<string, { cls: unknown; owner: string }>();
  for (const { app, pipelines } of apps) {
    for (const pipeline of pipelines) {
      for (const cls of [pipeline.input, pipeline.output]) {
        const owner = `app "${app.name}" type ${pipeline.type}`;
        const seen = owners.get(cls.name);
        if (seen && seen.cls !== cls) {
          throw new Error(`Two DTO classes are named ${cls.name} (${seen.owner} and ${owner}); the API docs name schemas by class, so rename one.`);
        }
        owners.set(cls.name, { cls, owner });
      }
    }
  }
}
