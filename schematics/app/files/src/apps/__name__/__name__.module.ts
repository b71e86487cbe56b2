import { Module } from '@nestjs/common';
import { EngineModule, GenerationAppModule } from '../../engine';
import { <%= classify(name) %>App } from './<%= name %>.app';
import { <%= camelize(name) %>Config } from './<%= name %>.config';

/** The <%= name %> app: its pipelines are the providers marked @RegisterPipeline() here. */
@GenerationAppModule({ config: <%= camelize(name) %>Config })
@Module({
  imports: [EngineModule],
  providers: [<%= classify(name) %>App],
})
export class <%= classify(name) %>Module {}
