import { PNG } from 'pngjs';
import { hash32 } from './hash';

/**
 * Fake Stable Diffusion output: a real PNG of the asked size whose colours and
 * block pattern follow from the prompt (different prompts look different, the
 * same prompt looks the same), carrying a WebUI-like `parameters` tEXt chunk.
 */

export interface RenderSpec {
  width: number;
  height: number;
  prompt: string;
  /** Moves an accent stripe, so images of one batch (different seeds) differ. */
  seed: number;
  /** Hash of an img2img init image: shifts the hue so the result visibly depends on it. */
  tint?: number;
  /** 0..255: per-pixel noise amplitude; makes files closer to real SD sizes (and slower to compress). */
  noise?: number;
  /** Stored verbatim (Latin-1) in the tEXt chunk with keyword "parameters". */
  parameters: string;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(...parts: Buffer[]): number {
  let c = 0xffffffff;
  for (const buf of parts) for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(head.subarray(4), data), 0);
  return Buffer.concat([head, data, crc]);
}

/** tEXt is Latin-1 only; anything outside it becomes '?' rather than corrupting the chunk. */
function textChunk(keyword: string, text: string): Buffer {
  const latin1 = text.replace(/[^\u0001-\u00ff]/g, '?');
  return chunk('tEXt', Buffer.from(`${keyword}\u0000${latin1}`, 'latin1'));
}

const SIGNATURE_AND_IHDR = 8 + 4 + 4 + 13 + 4;

/** Puts a tEXt chunk right after IHDR, where the WebUI writes its parameters. */
export function withText(png: Buffer, keyword: string, text: string): Buffer {
  return Buffer.concat([png.subarray(0, SIGNATURE_AND_IHDR), textChunk(keyword, text), png.subarray(SIGNATURE_AND_IHDR)]);
}

/** All tEXt chunks of a PNG as keyword → text (for tests and for the app's own checks). */
export function readPngText(png: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 8;
  while (at + 8 <= png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    if (type === 'tEXt') {
      const data = png.subarray(at + 8, at + 8 + length);
      const nul = data.indexOf(0);
      if (nul > 0) out[data.toString('latin1', 0, nul)] = data.toString('latin1', nul + 1);
    }
    if (type === 'IEND') break;
    at += 12 + length;
  }
  return out;
}

function hsl(h: number, s: number, l: number): [number, number, number] {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => Math.round(255 * (l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1))));
  return [f(0), f(8), f(4)];
}

/**
 * Renders the image and returns PNG bytes. Rows are built once per band and copied, which
 * keeps large sizes fast; compression runs on libuv's thread pool, so several simulated
 * instances in one process start their next requests on time instead of queueing behind it.
 */
export async function renderPng(spec: RenderSpec): Promise<Buffer> {
  const png = drawPng(spec);
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    png
      .pack()
      .on('data', (chunk: Buffer) => chunks.push(chunk))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
  return withText(bytes, 'parameters', spec.parameters);
}

function drawPng(spec: RenderSpec): PNG {
  const { width, height } = spec;
  const h = hash32(spec.prompt);
  const hue = (h % 360 + (spec.tint ?? 0) % 360) % 360;
  const background = hsl(hue, 0.45, 0.55);
  const bands = 3 + (h >>> 9) % 6;
  const cols = 4 + (h >>> 13) % 9;
  const accentCol = (spec.seed >>> 0) % cols;

  const noise = Math.max(0, Math.min(255, Math.round(spec.noise ?? 0)));
  // Level 1 without adaptive filtering: the pattern compresses well anyway, and speed matters more than size here.
  const png = new PNG({ width, height, deflateLevel: 1, filterType: noise > 0 ? 0 : 1 });
  const data = png.data;
  const rowBytes = width * 4;
  const row = Buffer.alloc(rowBytes);
  let prevBand = -1;
  for (let y = 0; y < height; y++) {
    const band = Math.floor((y * bands) / height);
    if (band !== prevBand) {
      prevBand = band;
      for (let x = 0; x < width; x++) {
        const col = Math.floor((x * cols) / width);
        const cellHash = hash32(spec.prompt, band, col);
        let rgb = background;
        if (col === accentCol && band === bands - 1) rgb = hsl((hue + 180) % 360, 0.8, 0.5);
        else if (cellHash & 1) rgb = hsl((hue + 40 + (cellHash >>> 1) % 80) % 360, 0.6, 0.3 + ((cellHash >>> 8) % 40) / 100);
        row[x * 4] = rgb[0];
        row[x * 4 + 1] = rgb[1];
        row[x * 4 + 2] = rgb[2];
        row[x * 4 + 3] = 255;
        // Cells are wide: skip to the next cell boundary by copying this pixel.
        const nextCol = Math.ceil(((col + 1) * width) / cols);
        for (let xx = x + 1; xx < nextCol && xx < width; xx++) row.copy(row, xx * 4, x * 4, x * 4 + 4);
        x = Math.max(x, nextCol - 1);
      }
    }
    row.copy(data, y * rowBytes);
  }

  if (noise > 0) {
    let state = h | 1;
    for (let i = 0; i < data.length; i++) {
      if ((i & 3) === 3) continue; // keep alpha opaque
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const delta = ((state >>> 0) % (2 * noise + 1)) - noise;
      data[i] = Math.max(0, Math.min(255, data[i] + delta));
    }
  }

  return png;
}
