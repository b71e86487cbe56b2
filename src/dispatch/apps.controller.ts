import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ApiFailures } from '../common/swagger/api-envelope.decorator';
import { typeSchemaNames } from '../docs/generation-docs';
import { AppRegistry } from './app-registry.service';
import { AppDto } from './dto/apps.dto';

@ApiTags('generate')
@Controller('apps')
export class AppsController {
  constructor(private readonly registry: AppRegistry) {}

  @Get()
  @ApiOperation({ summary: 'Every app with its APP_ID and generation types, and the schemas of their requests and answers' })
  @ApiEnvelope(AppDto, { isArray: true })
  @ApiFailures(429)
  list(): AppDto[] {
    return this.registry.catalogue().map(({ app, pipelines }) => ({
      appid: app.id,
      name: app.name,
      types: pipelines.map((pipeline) => ({ type: pipeline.type, name: pipeline.name, summary: pipeline.summary, ...typeSchemaNames(app, pipeline) })),
    }));
  }
}
