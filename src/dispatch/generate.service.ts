import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { BusinessError } from '../common/errors';
import { jsonShapeProblem } from '../common/json-shape';
import { withoutPrototypeKeys } from '../common/prototype-keys';
import { validationFailure } from '../common/validation.pipe';
import { GenerationEngine } from '../engine/generation-engine.service';
import { ExperimentsService } from '../experiments/experiments.service';
import { AppRegistry } from './app-registry.service';
import { GenerateRefusals } from './generate-refusals';

export interface GenerateRequest {
  appid: number;
  type: number;
  prompts: Record<string, unknown>;
  username?: string;
}

/**
 * Finds the pipeline a request names, checks its inputs against the pipeline's DTO and
 * against what a record can keep, and only then opens the experiment record and hands the
 * run to the engine. A refused request stores nothing; it is counted on /health and logged.
 */
@Injectable()
export class GenerateService {
  constructor(
    private readonly registry: AppRegistry,
    private readonly engine: GenerationEngine,
    private readonly experiments: ExperimentsService,
    private readonly refusals: GenerateRefusals,
  ) {}

  async generate(request: GenerateRequest): Promise<unknown> {
    const { app, pipeline, input, record } = await this.check(request);
    const { username } = request;
    const recorder = this.experiments.begin(record, { app, pipeline, username });
    return this.engine.run(app, pipeline, input, { username, recorder });
  }

  private async check(request: GenerateRequest) {
    try {
      const { app, pipeline } = this.registry.resolve(request.appid, request.type);
      // Recorded as sent, but run from a copy class-transformer can take (see prototype-keys).
      const input = plainToInstance(pipeline.input, withoutPrototypeKeys(request.prompts));
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
