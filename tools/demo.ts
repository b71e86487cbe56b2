/**
 * `npm run demo`: the whole service on this machine with no provider accounts — the local
 * database, a GPT simulator, three Stable Diffusion simulators, and the API on port 5000.
 */
import { randomBytes } from 'node:crypto';
import { startStack } from './stack';

const TYPE0_BODY = '{"appid":0,"type":0,"prompts":{"task":"设计一款运动辅助产品","num":6}}';

async function main(): Promise<void> {
  // The research routes need a key; the demo makes one unless you give your own.
  const researchKey = process.env.RESEARCH_API_KEY ?? `demo-${randomBytes(12).toString('hex')}`;
  const port = Number(process.env.PORT ?? 5000);
  const stack = await startStack({
    gptLatencyMs: Number(process.env.DEMO_GPT_LATENCY_MS ?? 300),
    sdLatencyMs: Number(process.env.DEMO_SD_LATENCY_MS ?? 1000),
    sdInstances: 3,
    apiPort: port,
    dbPort: 27017,
    showApiLog: true,
    // The front end's usual development origins, and the demo's own (Swagger UI is same-origin).
    env: { RESEARCH_API_KEY: researchKey, CORS_ORIGINS: process.env.CORS_ORIGINS ?? `http://localhost:3000,http://127.0.0.1:3000,http://127.0.0.1:${port}` },
  });
  console.log(
    [
      '',
      'InsPilot demo is running:',
      `  API            ${stack.apiUrl}`,
      `  API docs       ${stack.apiUrl}/docs`,
      `  SD pool        ${stack.apiUrl}/sd/status`,
      `  experiments    ${stack.apiUrl}/experiments  (header X-API-Key: ${researchKey})`,
      `  database       ${stack.mongoUri}`,
      `  GPT simulator  ${stack.gpt.url}`,
      ...stack.sd.map((sd, index) => `  SD simulator ${index + 1} ${sd.url}`),
      '',
      `Try: curl -s -X POST ${stack.apiUrl}/generate -H 'Content-Type: application/json' -d '${TYPE0_BODY}'`,
      '',
      'or watch a job make its steps, images and creatives (POST /jobs, then its event stream):',
      `  curl -N ${stack.apiUrl}/jobs/$(curl -s -X POST ${stack.apiUrl}/jobs -H 'Content-Type: application/json' -d '${TYPE0_BODY}' | sed -E 's/.*"jobId":"([0-9a-f]+)".*/\\1/')/events`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  const stop = () => void stack.stop().then(() => process.exit(0));
  process.once('SIGINT', stop).once('SIGTERM', stop);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
