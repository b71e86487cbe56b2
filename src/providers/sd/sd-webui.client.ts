import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import type { SdRequest } from './sd.types';
import { toWebUiError, WebUiError } from './sd-webui.error';

export interface WebUiImage {
  /** Bare base64 PNG. */
  image: string;
  info: Record<string, unknown>;
}

export interface WebUiProgress {
  /** Working on a job (ours or anyone's). */
  busy: boolean;
  /** Changes whenever the current job moves on: equal markers a probe apart mean no progress. */
  marker: string;
}

export interface CallOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The smallest real image: proves the GPU works without keeping it long or switching models. */
const PROBE_REQUEST: SdRequest = {
  prompt: 'health check',
  width: 64,
  height: 64,
  steps: 1,
  seed: 1,
  batch_size: 1,
  n_iter: 1,
  do_not_save_samples: true,
  do_not_save_grid: true,
};

interface ImageResponse {
  images?: unknown;
  info?: unknown;
}

interface ProgressResponse {
  progress?: unknown;
  state?: { job?: unknown; job_count?: unknown; job_no?: unknown; job_timestamp?: unknown; sampling_step?: unknown };
}

function parseInfo(info: unknown): Record<string, unknown> {
  if (typeof info !== 'string' || info === '') return {};
  try {
    const parsed: unknown = JSON.parse(info);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { raw: info };
  } catch {
    return { raw: info };
  }
}

/**
 * The only code that knows the AUTOMATIC1111 WebUI API: its paths, payloads and answers.
 * Every failure leaves as a WebUiError.
 */
@Injectable()
export class SdWebUiClient {
  constructor(private readonly http: HttpService) {}

  async txt2img(baseUrl: string, request: SdRequest, options: CallOptions): Promise<WebUiImage> {
    const data = await this.call<ImageResponse>(baseUrl, 'POST', 'txt2img', request, options);
    const image = Array.isArray(data?.images) ? data.images[0] : undefined;
    if (typeof image !== 'string' || image === '') throw new WebUiError('answered without an image', true);
    return { image, info: parseInfo(data.info) };
  }

  /** A tiny real image that must be made within `timeoutMs`. */
  async probe(baseUrl: string, options: CallOptions): Promise<void> {
    await this.txt2img(baseUrl, PROBE_REQUEST, options);
  }

  async progress(baseUrl: string, options: CallOptions): Promise<WebUiProgress> {
    const data = await this.call<ProgressResponse>(baseUrl, 'GET', 'progress?skip_current_image=true', undefined, options);
    const state = data?.state;
    if (typeof state !== 'object' || state === null) throw new WebUiError('answered progress without a state', true);
    const busy = (typeof state.job === 'string' && state.job !== '') || (typeof state.job_count === 'number' && state.job_count > 0);
    return { busy, marker: JSON.stringify([state.job, state.job_timestamp, state.job_no, state.sampling_step, data.progress]) };
  }

  /** Stops the job the instance is working on, whoever asked for it. */
  async interrupt(baseUrl: string, options: CallOptions): Promise<void> {
    await this.call(baseUrl, 'POST', 'interrupt', undefined, options);
  }

  private async call<T>(baseUrl: string, method: 'GET' | 'POST', path: string, body: unknown, { timeoutMs, signal }: CallOptions): Promise<T> {
    try {
      const response = await firstValueFrom(
        this.http.request<T>({
          method,
          url: `${baseUrl}/sdapi/v1/${path}`,
          data: body,
          timeout: timeoutMs,
          signal,
          maxBodyLength: Infinity,
          maxContentLength: Infinity,
        }),
      );
      return response.data;
    } catch (error) {
      throw toWebUiError(error, timeoutMs);
    }
  }
}
