import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { BusinessError } from '../common/errors';
import { describeValidationErrors } from '../common/validation.pipe';
import { ExperimentsService } from '../experiments/experiments.service';
import { AppRegistry } from './app-registry.service';

export interface GenerateRequest {
  appid: number;
  type: number;
  prompts: Record<string, unknown>;
  username?: string;
}

/**
 * Finds the pipeline a request names, opens its experiment record, checks the inputs against
 * the pipeline's DTO and runs it. Every request that names a known app and type is recorded,
 * invalid inputs included.
 */
@Injectable()
export class GenerateService {
  constructor(
    private readonly registry: AppRegistry,
    private readonly experiments: ExperimentsService,
  ) {}

  async generate(request: GenerateRequest): Promise<unknown> {
    const { app, pipeline } = this.registry.resolve(request.appid, request.type);
    const recorder = this.experiments.begin({ app, pipeline, username: request.username, inputs: request.prompts });
    const input = plainToInstance(pipeline.input, request.prompts);
    const errors = await validate(input, { forbidUnknownValues: false });
    if (errors.length > 0) {
      const failure = new BusinessError(`Invalid request: ${describeValidationErrors(errors, 'prompts').join('; ')}`);
      await recorder.finished('failed', failure);
      throw failure;
    }
    return pipeline.run(input, { appId: request.appid, type: request.type, username: request.username, recorder });
  }
}
