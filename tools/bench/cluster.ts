/**
 * The shared SD pool with two API processes (REDIS_URL): 8 concurrent type-0 requests spread
 * over both nodes, pool throughput over its busy window against its ceiling (instances × slots
 * / SD latency), and proof that no instance ever ran two images at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../ferretdb/launcher';
import { startRedisServer } from '../redis/launcher';
import type { SimEvent } from '../sim';
import { startStack } from '../stack';

const GPT_MS = 300;
const SD_MS = 1000;
const INSTANCES = 3;
const NODES = 2;
const CONCURRENT = 8;
const PROMPTS = { task: '设计一款运动辅助产品', num: 6 };

async function generate(apiUrl: string): Promise<void> {
  const response = await fetch(`${apiUrl}/generate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ appid: 0, type: 0, prompts: PROMPTS }),
  });
  const body = (await response.json()) as { success: boolean; message: string };
  if (!body.success) throw new Error(`type 0 on ${apiUrl} failed: ${body.message}`);
}

export async function benchCluster(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'inspilot-bench-'));
  const redis = await startRedisServer();
  try {
    const stack = await startStack({
      gptLatencyMs: GPT_MS,
      sdLatencyMs: SD_MS,
      sdInstances: INSTANCES,
      apiPort: await freePort(),
      apiNodes: NODES,
      dataDir,
      env: { NODE_ENV: 'production', GPT_CONCURRENCY: '32', REDIS_URL: redis.url },
    });
    try {
      console.log(`${NODES} API processes on one Redis; simulated latencies: GPT ${GPT_MS} ms, SD ${SD_MS} ms, ${INSTANCES} SD instances, 1 slot each.\n`);
      // Warm-up: the nodes' first images and the pool's history.
      await Promise.all(stack.nodes.map((node) => generate(node.url)));
      for (const sd of stack.sd) sd.clearEvents();

      await Promise.all(Array.from({ length: CONCURRENT }, (_, index) => generate(stack.nodes[index % NODES].url)));
      const made = (event: SimEvent) => event.kind === 'txt2img' && event.outcome === 'ok' && event.meta.width !== 64;
      const events = stack.sd.flatMap((sd) => sd.events()).filter(made);
      const first = Math.min(...events.map((event) => event.start));
      const last = Math.max(...events.map((event) => event.end ?? event.start));
      const throughput = events.length / ((last - first) / 1000);
      const ceiling = INSTANCES / (SD_MS / 1000);
      const maxConcurrent = Math.max(...stack.sd.map((sd) => sd.stats().maxConcurrent));
      console.log(
        `Pool throughput, ${CONCURRENT} concurrent type-0 requests over ${NODES} nodes: ${events.length} images in ${((last - first) / 1000).toFixed(2)} s ` +
          `(first image start to last image end) = ${throughput.toFixed(3)} images/s; ceiling ${ceiling.toFixed(3)} images/s; ` +
          `ratio ${(throughput / ceiling).toFixed(3)} (target ≥ 0.95); most jobs at once on one instance: ${maxConcurrent}`,
      );
      // The time each instance stood idle between one image and the next: what the shared queue costs.
      const gaps = stack.sd.flatMap((sd) => {
        const own = sd.events().filter(made).sort((x, y) => x.start - y.start);
        return own.slice(1).map((event, index) => event.start - (own[index].end ?? own[index].start));
      }).sort((x, y) => x - y);
      if (gaps.length > 0) console.log(`Idle time of an instance between two images: median ${gaps[Math.floor(gaps.length / 2)].toFixed(0)} ms, longest ${gaps[gaps.length - 1].toFixed(0)} ms.`);
      if (events.length !== CONCURRENT * PROMPTS.num) throw new Error(`expected ${CONCURRENT * PROMPTS.num} images, the instances made ${events.length}`);
      if (maxConcurrent !== 1) throw new Error(`an instance ran ${maxConcurrent} images at once: the shared pool must never give one instance two`);
    } finally {
      await stack.stop();
    }
  } finally {
    await redis.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
