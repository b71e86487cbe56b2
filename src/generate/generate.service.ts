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
 * Opens the experiment record of a request, finds the pipeline it names, checks the inputs
 * against the pipeline's DTO and runs it. Every request is recorded, failures included.
 */
@Injectable()
export class GenerateService {
  constructor(
    private readonly registry: AppRegistry,
    private readonly experiments: ExperimentsService,
  ) {}

  async generate(request: GenerateRequest): Promise<unknown> {
    const found = this.registry.find(request.appid, request.type);
    const recorder = this.experiments.begin({
      appId: request.appid,
      type: request.type,
      app: found.app,
      pipeline: found.pipeline,
      username: request.username,
      inputs: request.prompts,
    });
    if (!found.pipeline) {
      await recorder.finished('failed', found.error!);
      throw found.error!;
    }
    const pipeline = found.pipeline;
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
