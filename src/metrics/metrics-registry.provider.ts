import type { Provider } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The app's own registry, injected as prom-client's `Registry`: every series of this app and the
 * process metrics (CPU, memory, event-loop lag, GC). Not prom-client's global one, so apps
 * created side by side in one process (the tests do) each count only their own work.
 */
export const metricsRegistryProvider: Provider = {
  provide: Registry,
  useFactory: (): Registry => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    return registry;
  },
};
