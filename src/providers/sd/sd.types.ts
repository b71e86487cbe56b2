/** A txt2img request as the AUTOMATIC1111 WebUI takes it; only the fields we set are typed. */
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
  [option: string]: unknown;
}

/** One generated image and where it came from. */
export interface SdImage {
  /** Bare base64 of the PNG, as the WebUI returns it and the front end reads it. */
  image: string;
  seed?: number;
  /** The WebUI's `info`, parsed. */
  info: Record<string, unknown>;
  /** What was sent. */
  parameters: SdRequest;
  /** The URL of the instance that made it. */
  instance: string;
  durationMs: number;
}
