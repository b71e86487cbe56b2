import { SetMetadata, type Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';
import { DiscoveryService } from '@nestjs/core';
import type { ConfigNamespace } from '../config/define-config';

/** An app served by `/generate`; its pipelines are the `@RegisterPipeline()` providers of its module. */
export interface GenerationApp {
  readonly id: number;
  readonly name: string;
}

/**
 * Marks a provider as a generation app. The registry finds every marked provider at start,
 * so adding an app is adding a module, not editing a dispatch table.
 */
export const RegisterGenerationApp = DiscoveryService.createDecorator<void>();

const APP_CONFIG = 'inspilot:generation-app-config';

/**
 * Marks an app's module with its configuration namespace (which holds its APP_ID), so the
 * start-up validates the app's variables in the one pass that validates the service's.
 */
export function GenerationAppModule(options: { config: ConfigNamespace }): ClassDecorator {
  return SetMetadata(APP_CONFIG, options.config);
}

/** The configuration namespaces of the app modules `module` imports (see GenerationAppModule). */
export function appConfigNamespaces(module: Type): ConfigNamespace[] {
  const imports = (Reflect.getMetadata(MODULE_METADATA.IMPORTS, module) ?? []) as unknown[];
  return imports.flatMap((imported) => {
    const config = typeof imported === 'function' ? (Reflect.getMetadata(APP_CONFIG, imported) as ConfigNamespace | undefined) : undefined;
    return config ? [config] : [];
  });
}
