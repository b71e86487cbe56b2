import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { BusinessError } from '../common/errors';
import { GenerationApp, RegisterGenerationApp } from '../engine/generation-app';
import { AnyPipeline, RegisterPipeline } from '../engine/generation-pipeline';
import type { GraphSpec } from '../engine/step-graph';
import { checkSchemaNames, DocumentedApp } from '../docs/generation-docs';
import { ImageStyleService } from '../prompts/image-style.service';
import { PromptService } from '../prompts/prompt.service';

interface Registered {
  app: GenerationApp;
  pipelines: Map<number, AnyPipeline>;
}

/** A discovered provider: its instance and the module that provides it. */
interface Provided<T> {
  instance: T;
  module: object;
  moduleName: string;
}

/**
 * Every generation app by APP_ID, each with the pipelines its module provides. Refuses to
 * start on a duplicate id or type, a pipeline whose module has no app, and a template or
 * image style a pipeline names that the prompts folder lacks.
 */
@Injectable()
export class AppRegistry implements OnApplicationBootstrap {
  private readonly logger = new Logger(AppRegistry.name);
  private readonly apps = new Map<number, Registered>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly prompts: PromptService,
    private readonly styles: ImageStyleService,
  ) {}

  /** After every module's start-up, so the templates and styles are loaded when they are checked. */
  onApplicationBootstrap(): void {
    const apps = this.provided<GenerationApp>(RegisterGenerationApp.KEY);
    const pipelines = this.provided<AnyPipeline>(RegisterPipeline.KEY);
    for (const app of apps) {
      const other = apps.find((candidate) => candidate !== app && candidate.module === app.module);
      if (other) throw new Error(`${app.moduleName} provides two apps, "${app.instance.name}" and "${other.instance.name}"; give each its own module.`);
    }
    for (const pipeline of pipelines) {
      if (!apps.some((app) => app.module === pipeline.module)) {
        throw new Error(
          `Pipeline "${pipeline.instance.name}" (${pipeline.instance.constructor.name}) is provided by ${pipeline.moduleName}, which provides no app: ` +
            'a pipeline belongs in the module of an @RegisterGenerationApp() provider.',
        );
      }
    }
    for (const app of apps) {
      this.register(
        app.instance,
        pipelines.filter((pipeline) => pipeline.module === app.module).map((pipeline) => pipeline.instance),
      );
    }
    this.checkFiles();
    checkSchemaNames(this.catalogue());
    this.logger.log(`Apps: ${this.describe()}`);
  }

  register(app: GenerationApp, pipelines: AnyPipeline[]): void {
    const existing = this.apps.get(app.id);
    if (existing) {
      throw new Error(`APP_ID ${app.id} is registered twice, by "${existing.app.name}" and "${app.name}"; give each app its own id.`);
    }
    const byType = new Map<number, AnyPipeline>();
    for (const pipeline of pipelines) {
      const same = byType.get(pipeline.type);
      if (same) throw new Error(`App "${app.name}" declares type ${pipeline.type} twice, in "${same.name}" and "${pipeline.name}".`);
      byType.set(pipeline.type, pipeline);
    }
    this.apps.set(app.id, { app, pipelines: byType });
  }

  /** Fails naming every template and image style a registered pipeline needs and the prompts folder lacks. */
  private checkFiles(): void {
    const problems: string[] = [];
    for (const { app, pipelines } of this.apps.values()) {
      for (const pipeline of pipelines.values()) {
        for (const [step, spec] of Object.entries(pipeline.graph as GraphSpec)) {
          const owner = `App "${app.name}" pipeline "${pipeline.name}" (type ${pipeline.type}) step "${step}"`;
          if (spec.kind === 'sd') {
            if (!this.styles.has(spec.style)) problems.push(`${owner} needs image style "${spec.style}": no file ${this.styles.fileOf(spec.style)}`);
          } else if (!this.prompts.has(spec.template)) {
            problems.push(`${owner} needs template "${spec.template}": no file ${this.prompts.fileOf(spec.template)}`);
          }
        }
      }
    }
    if (problems.length > 0) throw new Error(`Missing prompt files:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }

  /** The pipeline for `appid` and `type`, or a business failure that lists what exists. */
  resolve(appid: number, type: number): { app: GenerationApp; pipeline: AnyPipeline } {
    const registered = this.apps.get(appid);
    if (!registered) throw new BusinessError(`Unknown appid ${appid}; known apps: ${this.describe()}.`);
    const pipeline = registered.pipelines.get(type);
    if (pipeline) return { app: registered.app, pipeline };
    const known = [...registered.pipelines.values()].map((p) => `${p.type} (${p.name})`).join(', ') || 'none';
    throw new BusinessError(`Unknown type ${type} for app ${appid} (${registered.app.name}); known types: ${known}.`);
  }

  list(): GenerationApp[] {
    return [...this.apps.values()].map((registered) => registered.app);
  }

  /** Every app with its pipelines, by app id and type. */
  catalogue(): DocumentedApp[] {
    return [...this.apps.values()]
      .sort((a, b) => a.app.id - b.app.id)
      .map(({ app, pipelines }) => ({ app, pipelines: [...pipelines.values()].sort((a, b) => a.type - b.type) }));
  }

  private provided<T>(metadataKey: string): Provided<T>[] {
    return this.discovery
      .getProviders({ metadataKey })
      .filter((wrapper) => wrapper.instance && wrapper.host)
      .map((wrapper) => ({ instance: wrapper.instance as T, module: wrapper.host!, moduleName: wrapper.host!.metatype.name }));
  }

  private describe(): string {
    return [...this.apps.values()].map(({ app }) => `${app.id} (${app.name})`).join(', ') || 'none';
  }
}
