import type { FaultOptions, SimHandle } from './core';
import { startGptSim, type GptSimOptions } from './gpt';
import { startSdSim, type SdSimOptions } from './sd';

/**
 * Runs simulators as standalone processes for the demo and benchmarks:
 *   npx ts-node --transpile-only tools/sim/cli.ts gpt --port 5101 --latency 300
 *   npx ts-node --transpile-only tools/sim/cli.ts sd --port 5201,5202,5203 --latency 1000
 * Everything else is changeable at runtime through POST /__sim/config.
 */

const USAGE = `usage: cli.ts <gpt|sd> [options]
  --port <p[,p...]>     port(s); one server per port (default gpt 5101, sd 5201)
  --host <addr>         listen address (default 127.0.0.1)
  --latency <ms>        delay before each model answer
  --error-rate <0..1>   fraction of model requests that fail
  --error-status <n>    status of those failures (default 500)
  --hang                model requests never answer
  --seed <n>            seed for random failures and SD seeds
  gpt only: --require-key <key>  --messy  --model <name>
  sd only:  --noise <0..255>  --checkpoint <title>`;

type Flags = Map<string, string | true>;

function parseFlags(args: string[]): Flags {
  const flags: Flags = new Map();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const [name, inline] = arg.slice(2).split('=', 2);
    const next = args[i + 1];
    if (inline !== undefined) flags.set(name, inline);
    else if (next !== undefined && !next.startsWith('--')) flags.set(name, args[++i]);
    else flags.set(name, true);
  }
  return flags;
}

function number(flags: Flags, name: string): number | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isFinite(n)) throw new Error(`--${name} needs a number`);
  return n;
}

function text(flags: Flags, name: string): string | undefined {
  const v = flags.get(name);
  if (v === true) throw new Error(`--${name} needs a value`);
  return v;
}

function common(flags: Flags): Partial<FaultOptions> {
  return {
    latencyMs: number(flags, 'latency'),
    errorRate: number(flags, 'error-rate'),
    errorStatus: number(flags, 'error-status'),
    hang: flags.has('hang') || undefined,
    seed: number(flags, 'seed'),
  };
}

async function main(argv: string[]): Promise<void> {
  const [kind, ...rest] = argv;
  if (kind !== 'gpt' && kind !== 'sd') throw new Error(USAGE);
  const flags = parseFlags(rest);
  const host = text(flags, 'host') ?? '127.0.0.1';
  const ports = (text(flags, 'port') ?? (kind === 'gpt' ? '5101' : '5201')).split(',').map((p) => {
    const n = Number(p.trim());
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`bad port "${p}"`);
    return n;
  });

  const handles: Array<SimHandle<GptSimOptions> | SimHandle<SdSimOptions>> = [];
  for (const port of ports) {
    const handle =
      kind === 'gpt'
        ? await startGptSim({ ...common(flags), port, host, requireKey: text(flags, 'require-key'), messy: flags.has('messy') || undefined, model: text(flags, 'model') })
        : await startSdSim({ ...common(flags), port, host, noise: number(flags, 'noise'), checkpoint: text(flags, 'checkpoint') });
    handles.push(handle);
    const hint = kind === 'gpt' ? `${handle.url}/v1 (OpenAI baseURL)` : `${handle.url} (WebUI, /sdapi/v1/...)`;
    console.log(`${kind} simulator listening on ${hint}; admin ${handle.url}/__sim/config`);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: closing ${handles.length} simulator(s)`);
    void Promise.all(handles.map((h) => h.close())).then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
