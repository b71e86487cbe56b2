import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { BusinessError } from '../common/errors';
import { jsonShapeProblem } from '../common/json-shape';
import { withoutPrototypeKeys } from '../common/prototype-keys';
import { validationFailure } from '../common/validation.pipe';
import type { GenerationApp } from '../engine/generation-app';
import type { AnyPipeline } from '../engine/generation-pipeline';
import { ExperimentsService, PreparedRecord } from '../experiments/experiments.service';
import { AppRegistry } from './app-registry.service';
import { GenerateRefusals } from './generate-refusals';

export interface GenerateRequest {
  appid: number;
  type: number;
  prompts: Record<string, unknown>;
  username?: string;
}

/** A request that may run: its app and pipeline, its inputs as the pipeline reads them, and its record, ready to open. */
export interface AcceptedGeneration {
  app: GenerationApp;
  pipeline: AnyPipeline;
  input: object;
  record: PreparedRecord;
}

/**
 * Finds the pipeline a generation request names and checks its inputs against the pipeline's
 * DTO and against what a record can keep. A refused request stores nothing; it is counted on
 * /health and logged. What runs an accepted one is src/jobs.
 */
@Injectable()
export class GenerateService {
  constructor(
    private readonly registry: AppRegistry,
    private readonly experiments: ExperimentsService,
    private readonly refusals: GenerateRefusals,
  ) {}

  async check(request: GenerateRequest): Promise<AcceptedGeneration> {
    try {
      const { app, pipeline } = this.registry.resolve(request.appid, request.type);
      // Recorded as sent, but run from a copy class-transformer can take (see prototype-keys).
      const input = plainToInstance(pipeline.input, withoutPrototypeKeys(request.prompts)) as object;
      const errors = await validate(input, { forbidUnknownValues: false });
      if (errors.length > 0) throw validationFailure(errors, 'prompts');
      const problem = jsonShapeProblem(request.prompts, { path: 'prompts', refuseNul: true });
      if (problem) throw new BusinessError(`Invalid request: ${problem}`);
      return { app, pipeline, input, record: this.experiments.prepare(request.prompts) };
    } catch (error) {
      if (error instanceof BusinessError) this.refusals.refuse(request.appid, request.type, error.message);
      throw error;
    }
  }
}
