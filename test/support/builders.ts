/**
 * Request bodies exactly as the InsPilot front end sends them (docs/front-end-contract.md), with overrides.
 * Every builder returns a fresh object, so tests can mutate what they get.
 */
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { PNG } from 'pngjs';

export type Stage = '准备' | '禁止' | '快速发散' | '深入发散' | '收敛' | '完成';

export interface Point {
  x: number;
  y: number;
}

export interface CanvasPath {
  drawMode: boolean;
  strokeColor: string;
  strokeWidth: number;
  paths: Point[];
  startTimestamp?: number;
  endTimestamp?: number;
  [extra: string]: unknown;
}

export interface SchemeText {
  text: string;
  position: Point;
}

export interface Scheme {
  name: string;
  paths: CanvasPath[];
  texts: SchemeText[];
  canvasImage?: string;
  canvasSvg?: string;
  [extra: string]: unknown;
}

export interface SaveBody {
  username: string;
  data: {
    designTask: string;
    currentStage: Stage | string;
    designSchemes: {
      准备: null;
      快速发散: Scheme[] | null;
      深入发散: Scheme[] | null;
      收敛: Scheme[] | null;
      完成: null;
      禁止: null;
    };
  };
}

/** A username no other test uses. */
export function uniqueName(prefix = 'user'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export function aPoint(overrides: Partial<Point> = {}): Point {
  return { x: 120.5, y: 88, ...overrides };
}

/** A stroke of `points` points (a short diagonal line by default), with timestamps. */
export function aCanvasPath(overrides: Partial<CanvasPath> & { points?: number } = {}): CanvasPath {
  const { points = 5, ...rest } = overrides;
  const startTimestamp = 1732680000000;
  return {
    drawMode: true,
    strokeColor: '#000000',
    strokeWidth: 4,
    paths: Array.from({ length: points }, (_, i) => aPoint({ x: 100 + i * 1.25, y: 50 + i * 0.75 })),
    startTimestamp,
    endTimestamp: startTimestamp + 1500,
    ...rest,
  };
}

let cachedPng: string | undefined;

/** A real 8×8 PNG (a two-colour pattern), as the data URL the canvas exports. */
export function aPngDataUrl(): string {
  if (!cachedPng) {
    const png = new PNG({ width: 8, height: 8 });
    for (let i = 0; i < 64; i++) {
      const dark = (i + Math.floor(i / 8)) % 2 === 0;
      png.data.set(dark ? [30, 30, 30, 255] : [250, 250, 250, 255], i * 4);
    }
    cachedPng = `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
  }
  return cachedPng;
}

/**
 * A real PNG data URL whose whole length is about `bytes` characters, of random content (so
 * two calls never give the same sketch): the 8×8 image with a private ancillary chunk of
 * random bytes, which decoders skip.
 */
export function aRandomDataUrl(bytes: number): string {
  const prefix = 'data:image/png;base64,';
  const image = Buffer.from(aPngDataUrl().slice(prefix.length), 'base64');
  const raw = Math.floor((Math.max(0, bytes - prefix.length) * 3) / 4);
  const payload = randomBytes(Math.max(0, raw - image.length - 12));
  const chunk = Buffer.alloc(12 + payload.length);
  chunk.writeUInt32BE(payload.length, 0);
  chunk.write('rnDm', 4, 'latin1');
  payload.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + payload.length)), 8 + payload.length);
  // Before IEND, the last 12 bytes.
  const png = Buffer.concat([image.subarray(0, image.length - 12), chunk, image.subarray(image.length - 12)]);
  return prefix + png.toString('base64');
}

export function aSvg(label = 'sketch'): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><title>${label}</title><path d="M0 0 L8 8" stroke="#000"/></svg>`;
}

export function aScheme(overrides: Partial<Scheme> = {}): Scheme {
  return {
    name: '方案1',
    paths: [aCanvasPath(), aCanvasPath({ drawMode: false, strokeColor: '#ffffff', strokeWidth: 12, points: 3 })],
    texts: [{ text: '可折叠', position: aPoint({ x: 10, y: 20 }) }],
    canvasImage: aPngDataUrl(),
    canvasSvg: aSvg(),
    ...overrides,
  };
}

export interface SaveOptions {
  designTask?: string;
  currentStage?: Stage | string;
  /** Schemes by stored stage; `null` means "keep what was stored". Missing stages are []. */
  schemes?: Partial<Record<'快速发散' | '深入发散' | '收敛', Scheme[] | null>>;
}

export function aSaveBody(username: string, options: SaveOptions = {}): SaveBody {
  const schemes = options.schemes ?? {};
  return {
    username,
    data: {
      designTask: options.designTask ?? '设计一款运动辅助产品',
      currentStage: options.currentStage ?? '快速发散',
      designSchemes: {
        准备: null,
        快速发散: '快速发散' in schemes ? schemes['快速发散'] as Scheme[] | null : [],
        深入发散: '深入发散' in schemes ? schemes['深入发散'] as Scheme[] | null : [],
        收敛: '收敛' in schemes ? schemes['收敛'] as Scheme[] | null : [],
        完成: null,
        禁止: null,
      },
    },
  };
}
