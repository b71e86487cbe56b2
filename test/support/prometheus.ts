import request from 'supertest';

type App = Parameters<typeof request>[0];

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (version 0.0.4), and the metric names it declares. */
export interface Scrape {
  text: string;
  samples: Sample[];
  /** Names from the `# HELP` lines, with the type of each. */
  types: Map<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const declared = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (declared) types.set(declared[1], declared[2]);
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`Not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key] = value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return { text, samples, types };
}

/** The sum of the samples named `name` whose labels include `labels` (0 when there is none). */
export function sum(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  return matching(scrape, name, labels).reduce((total, sample) => total + sample.value, 0);
}

export function matching(scrape: Scrape, name: string, labels: Record<string, string> = {}): Sample[] {
  return scrape.samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
}

/** GET /metrics, checked to be the Prometheus text format, parsed. */
export async function scrape(server: App, token?: string): Promise<Scrape> {
  const call = request(server).get('/metrics');
  if (token) call.set('Authorization', `Bearer ${token}`);
  const response = await call;
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}: ${response.text}`);
  const type = String(response.headers['content-type']);
  if (!type.startsWith('text/plain;') || !/;\s*version=0\.0\.4\b/.test(type)) {
    throw new Error(`/metrics is not the Prometheus text format: ${type}`);
  }
  return parseExposition(response.text);
}
