import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AxiosError, AxiosRequestConfig } from 'axios';
import { firstValueFrom } from 'rxjs';
import { AttemptFailure, CancelledError, ProviderError } from '../../common/errors';
import { sdConfig } from '../../config/sd.config';
import { mergeSdOptions, SD_DEFAULTS, SdDefaults } from './sd-defaults.provider';
import { SdInstance } from './sd-instance';
import type { SdImage, SdPoolStatus, SdRequest } from './sd.types';

interface Waiter {
  step: string;
  take: (instance: SdInstance) => void;
  fail: (error: Error) => void;
  /** Instances this job already failed on; it goes to another when it can. */
  avoid: ReadonlySet<string>;
}

interface WebUiImageResponse {
  images?: string[];
  info?: string;
}

/** A failure of the instance (down, hung, broken) rather than of the request. */
function isInstanceFault(error: unknown): boolean {
  if (!(error instanceof AxiosError)) return false;
  if (!error.response) return true; // refused, reset, timed out
  return error.response.status >= 500 || error.response.status === 408 || error.response.status === 429;
}

function reasonOf(error: unknown): string {
  if (error instanceof AxiosError) {
    if (error.response) {
      const body = error.response.data as { error?: { message?: string }; detail?: unknown } | undefined;
      const detail = body?.error?.message ?? (typeof body?.detail === 'string' ? body.detail : '');
      return `${error.response.status}${detail ? ` ${detail}` : ''}`;
    }
    return error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT' ? `timed out (${error.message})` : error.code ?? error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * The pool of AUTOMATIC1111 WebUI instances and the only code that knows their API.
 * A WebUI serialises its own work, so the pool owns the queue: a job goes to a free
 * healthy instance, otherwise waits in arrival order. An instance that fails is set
 * aside and probed until it answers again; the job moves to another instance.
 */
@Injectable()
export class SdPoolService implements OnModuleDestroy {
  private readonly logger = new Logger(SdPoolService.name);
  private readonly instances: SdInstance[];
  private readonly queue: Waiter[] = [];

  constructor(
    private readonly http: HttpService,
    @Inject(sdConfig.KEY) private readonly config: ConfigType<typeof sdConfig>,
    @Inject(SD_DEFAULTS) private readonly defaults: SdDefaults,
  ) {
    this.instances = config.endpoints.map((url) => new SdInstance(url, config.slotsPerInstance));
  }

  onModuleDestroy(): void {
    for (const instance of this.instances) clearInterval(instance.probe);
    const waiting = this.queue.splice(0);
    for (const waiter of waiting) waiter.fail(new ProviderError('The service is shutting down.', 'sd', 503));
  }

  status(): SdPoolStatus {
    return { instances: this.instances.map((instance) => instance.status()), queued: this.queue.length };
  }

  /** One image; `signal` gives up the job, queued or running, when its generation no longer needs it. */
  txt2img(request: SdRequest, step: string, signal?: AbortSignal): Promise<SdImage> {
    return this.generate('txt2img', request, step, signal);
  }

  img2img(request: SdRequest, step: string, signal?: AbortSignal): Promise<SdImage> {
    return this.generate('img2img', request, step, signal);
  }

  /** GET on `/sdapi/v1/<path>` of the next free instance, through the queue. */
  get<T>(path: string, step = path): Promise<{ data: T; instance: string }> {
    return this.schedule(step, async (instance) => ({ data: await this.call<T>(instance, 'GET', path), instance: instance.url }));
  }

  /** POST on `/sdapi/v1/<path>` of the next free instance, through the queue. */
  post<T>(path: string, body: unknown, step = path): Promise<{ data: T; instance: string }> {
    return this.schedule(step, async (instance) => ({ data: await this.call<T>(instance, 'POST', path, body), instance: instance.url }));
  }

  private async generate(kind: 'txt2img' | 'img2img', request: SdRequest, step: string, signal?: AbortSignal): Promise<SdImage> {
    const payload = mergeSdOptions(this.defaults, request);
    const { init_images: _images, ...parameters } = payload;
    return this.schedule(step, async (instance) => {
      const started = Date.now();
      const response = await this.call<WebUiImageResponse>(instance, 'POST', kind, payload, { signal });
      const image = response.images?.[0];
      if (!image) throw new ProviderError(`Stable Diffusion step "${step}" got no image from ${instance.url}.`, 'sd', 502, { step, instance: instance.url });
      const info = parseInfo(response.info);
      return {
        image,
        seed: typeof info.seed === 'number' ? info.seed : undefined,
        info,
        parameters,
        instance: instance.url,
        durationMs: Date.now() - started,
      };
    }, signal);
  }

  private async call<T>(
    instance: SdInstance,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    { timeout = this.config.timeoutMs, signal }: { timeout?: number; signal?: AbortSignal } = {},
  ): Promise<T> {
    const request: AxiosRequestConfig = {
      method,
      url: `${instance.url}/sdapi/v1/${path}`,
      data: body,
      timeout,
      signal,
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
    };
    const response = await firstValueFrom(this.http.request<T>(request));
    return response.data;
  }

  /** Runs `work` on a free instance, moving to another instance when one fails. */
  private async schedule<T>(step: string, work: (instance: SdInstance) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const failures: AttemptFailure[] = [];
    const tried = new Set<string>();
    for (let attempt = 1; attempt <= this.config.maxAttempts; attempt++) {
      // A job moved off a failed instance keeps its place at the head of the queue.
      const instance = await this.acquire(step, tried, attempt > 1, signal);
      const started = Date.now();
      try {
        const result = await work(instance);
        instance.succeeded(Date.now() - started);
        return result;
      } catch (error) {
        // Given up by its generation: the instance did nothing wrong.
        if (signal?.aborted) throw new CancelledError(`Image of step "${step}"`);
        instance.failed += 1;
        const reason = reasonOf(error);
        failures.push({ attempt, reason: `${instance.url}: ${reason}`, at: new Date().toISOString() });
        if (error instanceof ProviderError) throw error;
        if (!isInstanceFault(error)) {
          throw new ProviderError(`Stable Diffusion step "${step}" was refused by ${instance.url}: ${reason}`, 'sd', 502, { step, instance: instance.url, attempts: failures });
        }
        tried.add(instance.url);
        this.markUnhealthy(instance, reason);
      } finally {
        instance.running -= 1;
        this.dispatch();
      }
    }
    throw new ProviderError(
      `Stable Diffusion step "${step}" failed on ${failures.length} ${failures.length === 1 ? 'try' : 'tries'}: ${failures.map((f) => f.reason).join('; ')}`,
      'sd',
      502,
      { step, attempts: failures },
    );
  }

  private acquire(step: string, avoid: ReadonlySet<string>, first: boolean, signal?: AbortSignal): Promise<SdInstance> {
    return new Promise((resolve, reject) => {
      const cancel = () => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        reject(new CancelledError(`Image of step "${step}"`));
      };
      const waiter: Waiter = {
        step,
        take: (instance) => {
          signal?.removeEventListener('abort', cancel);
          instance.running += 1;
          resolve(instance);
        },
        fail: (error) => {
          signal?.removeEventListener('abort', cancel);
          reject(error);
        },
        avoid,
      };
      if (signal?.aborted) return cancel();
      if (!this.instances.some((instance) => instance.healthy)) return reject(this.noHealthyInstance(step));
      signal?.addEventListener('abort', cancel, { once: true });
      if (first) this.queue.unshift(waiter);
      else this.queue.push(waiter);
      this.dispatch();
    });
  }

  /** Hands free instances to waiting jobs, oldest job first. */
  private dispatch(): void {
    for (let index = 0; index < this.queue.length; ) {
      const waiter = this.queue[index];
      const free = this.instances.filter((instance) => instance.free);
      if (free.length === 0) return;
      // Prefer an instance this job has not failed on.
      const pick = free.find((instance) => !waiter.avoid.has(instance.url)) ?? free[0];
      this.queue.splice(index, 1);
      waiter.take(pick);
    }
  }

  private markUnhealthy(instance: SdInstance, reason: string): void {
    instance.lastError = reason;
    if (!instance.healthy) return;
    instance.healthy = false;
    this.logger.warn(`Stable Diffusion instance ${instance.url} is unhealthy (${reason}); probing it every ${this.config.probeIntervalMs} ms`);
    instance.probe = setInterval(() => void this.probe(instance), this.config.probeIntervalMs);
    instance.probe.unref();
    if (!this.instances.some((other) => other.healthy)) {
      for (const waiter of this.queue.splice(0)) waiter.fail(this.noHealthyInstance(waiter.step));
    }
  }

  private async probe(instance: SdInstance): Promise<void> {
    try {
      await this.call(instance, 'GET', 'progress?skip_current_image=true', undefined, { timeout: Math.min(this.config.probeIntervalMs, 5000) });
    } catch {
      return;
    }
    if (instance.healthy) return;
    clearInterval(instance.probe);
    instance.probe = undefined;
    instance.healthy = true;
    this.logger.log(`Stable Diffusion instance ${instance.url} is healthy again`);
    this.dispatch();
  }

  private noHealthyInstance(step: string): ProviderError {
    const down = this.instances.map((instance) => `${instance.url} (${instance.lastError ?? 'down'})`).join(', ');
    return new ProviderError(`No Stable Diffusion instance is healthy for step "${step}": ${down || 'none configured'}.`, 'sd', 503, { step });
  }
}

function parseInfo(info: string | undefined): Record<string, unknown> {
  if (!info) return {};
  try {
    const parsed: unknown = JSON.parse(info);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { raw: info };
  } catch {
    return { raw: info };
  }
}
