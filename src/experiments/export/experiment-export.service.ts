import { Injectable, Logger } from '@nestjs/common';
import archiver from 'archiver';
import { stringify } from 'csv-stringify';
import { PassThrough, pipeline, Readable } from 'node:stream';
import { ImageMime, proveImage } from '../../common/image-bytes';
import { ExperimentImageStore } from '../experiment-image-store.service';
import { ExperimentRecord } from '../experiment.schema';
import { ExperimentFilter, ExperimentsRepository } from '../experiments.repository';
import { orderSteps } from '../experiments.service';
import { recordedText } from '../recorded-json';

/**
 * One experiment as a JSONL line: its id as a string, its steps in dependency order, and its
 * inputs and output spliced in as the JSON text they were recorded as, so they are exported
 * exactly as recorded without being parsed and written again.
 */
export function exportLine(record: ExperimentRecord): string {
  const { _id, steps, inputs, output, ...rest } = record;
  const head = JSON.stringify({ id: String(_id), ...rest, steps: orderSteps(steps ?? {}) });
  const recorded = [`"inputs":${recordedText(inputs)}`, ...(output === undefined ? [] : [`"output":${recordedText(output)}`])];
  return `${head.slice(0, -1)},${recorded.join(',')}}\n`;
}

/** The file name extension of each image type, for the zip. */
const EXTENSIONS: Record<ImageMime, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/** Images read at once for a zip export: one query, at most this many images in memory. */
const ZIP_IMAGE_BATCH = 32;

const CSV_COLUMNS = [
  'experimentId',
  'username',
  'appId',
  'type',
  'pipeline',
  'experimentStatus',
  'experimentStartedAt',
  'step',
  'kind',
  'dependsOn',
  'template',
  'templateHash',
  'model',
  'prompt',
  'output',
  'items',
  'tokens',
  'attempts',
  'stepStatus',
  'stepError',
  'stepStartedAt',
  'durationMs',
];

/**
 * Streams experiments for analysis. Records are read through a database cursor and written
 * as they come, so an export of any size holds a batch, not the whole set, in memory.
 */
@Injectable()
export class ExperimentExportService {
  private readonly logger = new Logger(ExperimentExportService.name);

  constructor(
    private readonly repository: ExperimentsRepository,
    private readonly images: ExperimentImageStore,
  ) {}

  jsonl(filter: ExperimentFilter): Readable {
    const cursor = this.repository.stream(filter);
    return Readable.from(
      (async function* lines() {
        for await (const record of cursor) yield exportLine(record);
      })(),
    );
  }

  /** One row per step (an experiment without steps gets one row with its own fields). */
  csv(filter: ExperimentFilter): Readable {
    const cursor = this.repository.stream(filter);
    const rows = Readable.from(
      (async function* stepRows() {
        for await (const record of cursor) {
          const steps = orderSteps(record.steps ?? {});
          const experiment = {
            experimentId: String(record._id),
            username: record.username ?? '',
            appId: record.appId,
            type: record.type,
            pipeline: record.pipeline,
            experimentStatus: record.status,
            experimentStartedAt: new Date(record.startedAt).toISOString(),
          };
          if (steps.length === 0) yield experiment;
          for (const step of steps) {
            yield {
              ...experiment,
              step: step.name,
              kind: step.kind,
              dependsOn: step.deps.join(' '),
              template: step.template ?? '',
              templateHash: step.templateHash ?? '',
              model: step.model ?? '',
              prompt: step.prompt ?? '',
              output: step.rawOutput ?? '',
              items: (step.items ?? []).join(' # '),
              tokens: step.tokens?.total ?? '',
              attempts: step.attempts.length,
              stepStatus: step.status,
              stepError: step.error ?? '',
              stepStartedAt: new Date(step.startedAt).toISOString(),
              durationMs: step.durationMs ?? '',
            };
          }
        }
      })(),
    );
    const csv = stringify({ header: true, columns: CSV_COLUMNS, bom: true });
    // pipeline, not pipe: a client that goes away also ends the rows and closes their cursor.
    pipeline(rows, csv, (error) => error && this.logger.warn(`CSV export ended early: ${error.message}`));
    return csv;
  }

  /** `experiments.jsonl` plus `images/<experiment>/<step>-<index>.<png|jpg|webp>` for every stored image. */
  zip(filter: ExperimentFilter): Readable {
    const archive = archiver('zip', { zlib: { level: 1 } });
    const output = new PassThrough();
    archive.on('error', (error) => output.destroy(error));
    archive.pipe(output);
    const progressed: Array<() => void> = [];
    // A client that goes away stops the reading too, cursors and all.
    let cancelled = false;
    output.once('close', () => {
      if (output.writableFinished) return;
      cancelled = true;
      archive.abort();
      progressed.splice(0).forEach((resume) => resume());
    });
    let appended = 0;
    let written = 0;
    archive.on('entry', () => {
      written += 1;
      progressed.splice(0).forEach((resume) => resume());
    });
    // One entry waiting behind the one being written: no more image streams open than that.
    const roomForEntry = async () => {
      while (appended - written > 1 && !cancelled) await new Promise<void>((resume) => progressed.push(resume));
    };
    const add = async (source: Readable | Buffer | string, name: string) => {
      await roomForEntry();
      if (cancelled) throw new Error('client went away');
      appended += 1;
      archive.append(source, { name });
    };

    void (async () => {
      await add(this.jsonl(filter), 'experiments.jsonl');
      // Images are read a batch at a time with one query for all their chunks: a read per
      // image costs a query each (and a whole-collection scan each on servers without the
      // chunk index), and a batch keeps memory bounded.
      let batch: { id: string; name: string }[] = [];
      const flush = async () => {
        const found = await this.images.getMany(batch.map((image) => image.id), { skipMissing: true });
        for (const image of batch) {
          const bytes = found.get(image.id);
          // Named by what the bytes prove, as the image route serves them.
          const mime = bytes && proveImage(bytes)?.mime;
          if (bytes) await add(bytes, `${image.name}.${mime ? EXTENSIONS[mime] : 'bin'}`);
        }
        batch = [];
      };
      for await (const record of this.repository.stream(filter)) {
        for (const image of record.images ?? []) {
          if (image.removed) continue;
          const name = image.step === 'input' ? `input-${image.index}` : `${image.step}-${image.index}`;
          batch.push({ id: image.imageId, name: `images/${String(record._id)}/${name}` });
          if (batch.length >= ZIP_IMAGE_BATCH) await flush();
        }
      }
      await flush();
      await archive.finalize();
    })().catch((error: Error) => {
      if (cancelled) return;
      this.logger.error(`Zip export failed: ${error.message}`);
      output.destroy(error);
    });
    return output;
  }
}
