import { IsInt, Max, Min } from 'class-validator';
import { defineConfig } from '../../config/define-config';
import { ToNumber } from '../../config/variables';

export class <%= classify(name) %>Variables {
  /** The APP_ID under which the <%= name %> app answers /generate. */
  @ToNumber() @IsInt() @Min(0) @Max(1000)
  <%= variable %> = <%= appId %>;
}

export interface <%= classify(name) %>Config {
  appId: number;
}

export const <%= camelize(name) %>Config = defineConfig(
  '<%= camelize(name) %>',
  <%= classify(name) %>Variables,
  (v): <%= classify(name) %>Config => ({ appId: v.<%= variable %> }),
);
