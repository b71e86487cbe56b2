import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { BusinessError } from '../common/errors';
import { USERNAME_MAX_LENGTH } from './dto/generate.dto';

/** The `X-InsPilot-User` header, held to the rules of the body's `username`; undefined when absent. */
export const ParticipantHeader = createParamDecorator((_data: unknown, context: ExecutionContext): string | undefined => {
  const value = context.switchToHttp().getRequest<Request>().header('x-inspilot-user');
  if (value === undefined) return undefined;
  if (!/\S/.test(value)) {
    throw new BusinessError('Invalid request: the X-InsPilot-User header must not be blank; name the participant or leave it out');
  }
  if (value.length > USERNAME_MAX_LENGTH) {
    throw new BusinessError(`Invalid request: the X-InsPilot-User header must be at most ${USERNAME_MAX_LENGTH} characters (got ${value.length})`);
  }
  return value;
});
