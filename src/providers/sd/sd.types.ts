/** A txt2img/img2img request as the AUTOMATIC1111 WebUI takes it; only the fields we set are typed. */
export interface SdRequest {
  prompt: string;
  negative_prompt?: string;
  width?: number;
  height?: number;
  steps?: number;
  cfg_scale?: number;
  sampler_name?: string;
  seed?: number;
  denoising_strength?: number;
  styles?: string[];
  override_settings?: Record<string, unknown>;
  init_images?: string[];
  [option: string]: unknown;
}

/** One generated image and where it came from. */
export interface SdImage {
  /** Bare base64 of the PNG, as the WebUI returns it and the front end reads it. */
  image: string;
  seed?: number;
  /** The WebUI's `info`, parsed. */
  info: Record<string, unknown>;
  /** What was sent, without images. */
  parameters: Omit<SdRequest, 'init_images'>;
  instance: string;
  durationMs: number;
}

export interface SdInstanceStatus {
  url: string;
  healthy: boolean;
  busy: boolean;
  running: number;
  done: number;
  failed: number;
  meanMs: number | null;
  lastError: string | null;
}

export interface SdPoolStatus {
  instances: SdInstanceStatus[];
  queued: number;
}
