import { ApiProperty, getSchemaPath } from '@nestjs/swagger';

export const SD_INSTANCE_STATES = ['idle', 'busy', 'stalled', 'failing', 'probing'] as const;
export type SdInstanceState = (typeof SD_INSTANCE_STATES)[number];

/** One WebUI instance as anyone may see it: health and load, no address, no error text. */
export class SdInstanceStatusDto {
  /**
   * `sd-1`, `sd-2`, … in the order of SD_ENDPOINTS.
   * @example "sd-1"
   */
  name: string;
  /**
   * Takes new images. False while set aside after a failure or a stall, until a probe
   * (idle by its progress, then a tiny image made in time) proves it again.
   * @example true
   */
  healthy: boolean;
  /**
   * idle: healthy, nothing running; busy: healthy, running images; stalled: set aside because
   * a job made no progress in time; failing: set aside after a failed request or probe;
   * probing: set aside, its probe image is running.
   */
  @ApiProperty({ enum: SD_INSTANCE_STATES, example: 'idle' })
  state: SdInstanceState;
  /**
   * Jobs running on it now, a probe image included.
   * @example 0
   */
  running: number;
  /**
   * Images it made since start.
   * @example 12
   */
  done: number;
  /**
   * Images that failed or stalled on it since start.
   * @example 0
   */
  failed: number;
  /**
   * 95th percentile of its recent image times, ms; null before its first image.
   * @example 9800
   */
  p95Ms: number | null;
}

/** An instance as researchers see it (valid X-API-Key): also where it is and what last went wrong. */
export class SdInstanceDetailsDto extends SdInstanceStatusDto {
  /** @example "http://127.0.0.1:7860" */
  url: string;
  /** @example "500 CUDA out of memory" */
  lastError: string | null;
}

export class SdPoolStatusDto {
  @ApiProperty({
    description: 'Each instance in SD_ENDPOINTS order; with a valid X-API-Key in the details shape.',
    type: 'array',
    items: { oneOf: [{ $ref: getSchemaPath(SdInstanceStatusDto) }, { $ref: getSchemaPath(SdInstanceDetailsDto) }] },
  })
  instances: SdInstanceStatusDto[];
  /**
   * Images waiting for a free healthy instance.
   * @example 0
   */
  queued: number;
}
