import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { GenerationApp, RegisterGenerationApp } from '../../engine';
import { <%= camelize(name) %>Config } from './<%= name %>.config';

/** The <%= name %> app as /generate knows it: its APP_ID (<%= variable %>) and name. */
@RegisterGenerationApp()
@Injectable()
export class <%= classify(name) %>App implements GenerationApp {
  readonly name = '<%= name %>';
  readonly id: number;

  constructor(@Inject(<%= camelize(name) %>Config.KEY) config: ConfigType<typeof <%= camelize(name) %>Config>) {
    this.id = config.appId;
  }
}
