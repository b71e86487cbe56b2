import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { BusinessError } from '../common/errors';
import { GenerationApp, Pipeline, RegisterGenerationApp } from '../engine/generation-app';

interface Registered {
  app: GenerationApp;
  pipelines: Map<number, Pipeline>;
}

/** Every registered generation app by APP_ID; refuses to start on a duplicate id or type. */
@Injectable()
export class AppRegistry implements OnModuleInit {
  private readonly logger = new Logger(AppRegistry.name);
  private readonly apps = new Map<number, Registered>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const apps = this.discovery
      .getProviders({ metadataKey: RegisterGenerationApp.KEY })
      .map((wrapper) => wrapper.instance as GenerationApp)
      .filter(Boolean);
    for (const app of apps) this.register(app);
    this.logger.log(`Apps: ${this.describe()}`);
  }

  register(app: GenerationApp): void {
    const existing = this.apps.get(app.id);
    if (existing) {
      throw new Error(`APP_ID ${app.id} is registered twice, by "${existing.app.name}" and "${app.name}"; give each app its own id.`);
    }
    const pipelines = new Map<number, Pipeline>();
    for (const pipeline of app.pipelines) {
      if (pipelines.has(pipeline.type)) throw new Error(`App "${app.name}" declares type ${pipeline.type} twice.`);
      pipelines.set(pipeline.type, pipeline);
    }
    this.apps.set(app.id, { app, pipelines });
  }

  /** The pipeline for `appid` and `type`, or a business failure that lists what exists. */
  resolve(appid: number, type: number): { app: GenerationApp; pipeline: Pipeline } {
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

  private describe(): string {
    return [...this.apps.values()].map(({ app }) => `${app.id} (${app.name})`).join(', ') || 'none';
  }
}
