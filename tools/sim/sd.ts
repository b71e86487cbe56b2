import { performance } from 'node:perf_hooks';
import { FAULT_DEFAULTS, startSim, type FaultOptions, type SimContext, type SimHandle, type StartOptions } from './core';
import { hash32 } from './hash';
import { HttpError, isObject, readJson, sendJson, type Json, type JsonObject } from './http';
import { renderPng } from './png';

/**
 * An AUTOMATIC1111 WebUI-compatible txt2img / img2img server. Unlike the real
 * WebUI it does not queue jobs: it runs them side by side and records how many
 * overlapped, so tests can prove the app never sends one instance two jobs.
 */

export interface SdSimOptions extends FaultOptions {
  /** The loaded checkpoint (GET/POST /sdapi/v1/options `sd_model_checkpoint`). */
  checkpoint: string;
  /** 0..255 per-pixel noise; larger, more realistic files at some CPU cost. */
  noise: number;
}

export const SDXL_CHECKPOINT = 'sd_xl_base_1.0.safetensors [31e35c80fc]';

export const SD_DEFAULTS: SdSimOptions = {
  ...FAULT_DEFAULTS,
  checkpoint: SDXL_CHECKPOINT,
  noise: 0,
};

export type SdSimHandle = SimHandle<SdSimOptions>;

const MODELS = [
  { title: SDXL_CHECKPOINT, model_name: 'sd_xl_base_1.0', hash: '31e35c80fc', filename: 'sd_xl_base_1.0.safetensors' },
  { title: 'sd_xl_refiner_1.0.safetensors [7440042bbd]', model_name: 'sd_xl_refiner_1.0', hash: '7440042bbd', filename: 'sd_xl_refiner_1.0.safetensors' },
  { title: 'v1-5-pruned-emaonly.safetensors [6ce0161689]', model_name: 'v1-5-pruned-emaonly', hash: '6ce0161689', filename: 'v1-5-pruned-emaonly.safetensors' },
].map((m) => ({
  ...m,
  sha256: null,
  filename: `/stable-diffusion-webui/models/Stable-diffusion/${m.filename}`,
  config: null,
}));

const MAX_SIDE = 4096;
const MAX_BATCH = 16;

interface GenRequest {
  body: JsonObject;
  prompt: string;
  negative: string;
  width: number;
  height: number;
  steps: number;
  cfgScale: number;
  sampler: string;
  seed: number;
  batch: number;
  checkpoint: string;
  initImages: string[];
}

function num(body: JsonObject, key: string, fallback: number): number {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new HttpError(422, `${key} must be a number`);
  return v;
}

function str(body: JsonObject, key: string, fallback: string): string {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string') throw new HttpError(422, `${key} must be a string`);
  return v;
}

function side(body: JsonObject, key: string): number {
  const v = num(body, key, 512);
  if (!Number.isInteger(v) || v < 8 || v > MAX_SIDE) throw new HttpError(422, `${key} must be an integer in 8..${MAX_SIDE}`);
  return v;
}

/** Validates a WebUI generation body the way its FastAPI models would (422 on wrong types). */
function parseGen(json: Json, img2img: boolean, ctx: SimContext<SdSimOptions>): GenRequest {
  if (!isObject(json)) throw new HttpError(422, 'body must be a JSON object');
  const override = isObject(json.override_settings) ? json.override_settings : {};
  const initImages = Array.isArray(json.init_images) ? json.init_images.filter((s): s is string => typeof s === 'string') : [];
  if (img2img && initImages.length === 0) throw new HttpError(422, 'init_images must hold at least one base64 image');
  const requestedSeed = num(json, 'seed', -1);
  const batch = num(json, 'batch_size', 1) * num(json, 'n_iter', 1);
  if (!Number.isInteger(batch) || batch < 1 || batch > MAX_BATCH) throw new HttpError(422, `batch_size × n_iter must be 1..${MAX_BATCH}`);
  return {
    body: json,
    prompt: str(json, 'prompt', ''),
    negative: str(json, 'negative_prompt', ''),
    width: side(json, 'width'),
    height: side(json, 'height'),
    steps: num(json, 'steps', 20),
    cfgScale: num(json, 'cfg_scale', 7),
    sampler: str(json, 'sampler_name', 'Euler a'),
    // -1 means "pick one", as in the WebUI.
    seed: requestedSeed < 0 ? Math.floor(ctx.random() * 4294967295) : Math.floor(requestedSeed),
    batch,
    checkpoint: typeof override.sd_model_checkpoint === 'string' ? override.sd_model_checkpoint : ctx.config.checkpoint,
    initImages,
  };
}

/** The "parameters" text the WebUI stores in its PNGs. */
function infotext(g: GenRequest, seed: number): string {
  return [
    g.prompt,
    `Negative prompt: ${g.negative}`,
    `Steps: ${g.steps}, Sampler: ${g.sampler}, CFG scale: ${g.cfgScale}, Seed: ${seed}, Size: ${g.width}x${g.height}, Model: ${g.checkpoint}, Version: sim`,
  ].join('\n');
}

async function generate(g: GenRequest, kind: 'txt2img' | 'img2img', noise: number, meta: Record<string, unknown>): Promise<JsonObject> {
  const seeds = Array.from({ length: g.batch }, (_, i) => g.seed + i);
  const tint = kind === 'img2img' ? hash32(g.initImages[0]) : undefined;
  const t0 = performance.now();
  const images = await Promise.all(
    seeds.map(async (seed) =>
      (await renderPng({ width: g.width, height: g.height, prompt: g.prompt, seed, tint, noise, parameters: infotext(g, seed) })).toString('base64'),
    ),
  );
  meta.renderMs = Math.round((performance.now() - t0) * 10) / 10;
  meta.bytes = images.reduce((n, b) => n + b.length, 0);

  // The WebUI echoes the request as `parameters`, without the (huge) input images.
  const parameters: JsonObject = { ...g.body };
  delete parameters.init_images;
  delete parameters.mask;
  const info = {
    prompt: g.prompt,
    all_prompts: seeds.map(() => g.prompt),
    negative_prompt: g.negative,
    all_negative_prompts: seeds.map(() => g.negative),
    seed: g.seed,
    all_seeds: seeds,
    subseed: -1,
    all_subseeds: seeds.map(() => -1),
    width: g.width,
    height: g.height,
    sampler_name: g.sampler,
    cfg_scale: g.cfgScale,
    steps: g.steps,
    batch_size: g.batch,
    denoising_strength: g.body.denoising_strength ?? null,
    styles: Array.isArray(g.body.styles) ? g.body.styles : [],
    sd_model_checkpoint: g.checkpoint,
    sd_model_name: g.checkpoint.replace(/\.safetensors.*$/, ''),
    sd_model_hash: /\[([0-9a-f]+)\]/.exec(g.checkpoint)?.[1] ?? null,
    infotexts: seeds.map((seed) => infotext(g, seed)),
    job_timestamp: new Date().toISOString().replace(/\D/g, '').slice(0, 14),
    version: 'sim',
  };
  return { images, parameters, info: JSON.stringify(info) };
}

export function startSdSim(options: Partial<SdSimOptions> & StartOptions = {}): Promise<SdSimHandle> {
  // WebUI settings other than the checkpoint: stored and echoed, otherwise unused.
  const settings: JsonObject = { samples_format: 'png', CLIP_stop_at_last_layers: 1, sd_vae: 'Automatic' };
  let interrupted = false;

  return startSim<SdSimOptions>('Stable Diffusion', SD_DEFAULTS, options, async (req, res, url, ctx) => {
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'POST /sdapi/v1/txt2img':
      case 'POST /sdapi/v1/img2img': {
        const kind = url.pathname.endsWith('img2img') ? 'img2img' : 'txt2img';
        const g = parseGen(await readJson(req), kind === 'img2img', ctx);
        const meta: Record<string, unknown> = {
          width: g.width,
          height: g.height,
          steps: g.steps,
          seed: g.seed,
          batch: g.batch,
          checkpoint: g.checkpoint,
        };
        if (kind === 'img2img') meta.initImages = g.initImages.length;
        if (ctx.running().length === 0) interrupted = false;
        await ctx.runModel(res, { kind, prompt: g.prompt, meta }, async () => ({
          status: 200,
          body: await generate(g, kind, ctx.config.noise, meta),
        }));
        return true;
      }
      case 'GET /sdapi/v1/options':
        sendJson(res, 200, { ...settings, sd_model_checkpoint: ctx.config.checkpoint });
        return true;
      case 'POST /sdapi/v1/options': {
        const patch = await readJson(req);
        if (!isObject(patch)) throw new HttpError(422, 'options must be a JSON object');
        for (const [key, value] of Object.entries(patch)) {
          if (key === 'sd_model_checkpoint') {
            if (typeof value !== 'string') throw new HttpError(422, 'sd_model_checkpoint must be a string');
            ctx.config.checkpoint = value;
          } else {
            settings[key] = value;
          }
        }
        sendJson(res, 200, null);
        return true;
      }
      case 'GET /sdapi/v1/sd-models':
        sendJson(res, 200, MODELS);
        return true;
      case 'GET /sdapi/v1/progress': {
        const jobs = ctx.running();
        const now = performance.now();
        // Progress of the oldest job, as the WebUI reports the one it is working on.
        const oldest = jobs.reduce<(typeof jobs)[number] | undefined>((a, j) => (a && a.event.start <= j.event.start ? a : j), undefined);
        const elapsed = oldest ? now - oldest.event.start : 0;
        const total = oldest && Number.isFinite(oldest.latencyMs) ? oldest.latencyMs : 0;
        const progress = oldest ? (total > 0 ? Math.min(0.99, elapsed / total) : 0.5) : 0;
        sendJson(res, 200, {
          progress,
          eta_relative: oldest && total > 0 ? Math.max(0, (total - elapsed) / 1000) : 0,
          state: {
            skipped: false,
            interrupted,
            job: oldest ? `job(task(sim${oldest.event.id}))` : '',
            job_count: jobs.length,
            job_timestamp: '0',
            job_no: 0,
            sampling_step: oldest ? Math.floor(progress * Number(oldest.event.meta.steps ?? 20)) : 0,
            sampling_steps: oldest ? Number(oldest.event.meta.steps ?? 20) : 0,
          },
          current_image: null,
          textinfo: null,
        });
        return true;
      }
      case 'POST /sdapi/v1/interrupt':
        await readJson(req);
        interrupted = ctx.interrupt() > 0;
        sendJson(res, 200, {});
        return true;
      default:
        return false;
    }
  });
}
