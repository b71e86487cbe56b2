import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { describeValidationErrors } from '../common/validation.pipe';
import { BusinessError } from '../common/errors';
import { AppRegistry } from './app-registry.service';

export interface GenerateRequest {
  appid: number;
  type: number;
  prompts: Record<string, unknown>;
  username?: string;
}

/** Finds the pipeline a request names, checks its inputs against that pipeline's DTO, runs it. */
@Injectable()
export class GenerateService {
  constructor(private readonly registry: AppRegistry) {}

  async generate(request: GenerateRequest): Promise<unknown> {
    const { pipeline } = this.registry.resolve(request.appid, request.type);
    const input = plainToInstance(pipeline.input, request.prompts);
    const errors = await validate(input, { forbidUnknownValues: false });
    if (errors.length > 0) {
      throw new BusinessError(`Invalid request: ${describeValidationErrors(errors, 'prompts').join('; ')}`);
    }
    return pipeline.run(input, { appId: request.appid, type: request.type, username: request.username });
  }
}
