/**
 * The project's Nest CLI schematics, as a developer uses them: in a copy of this repository,
 * `nest g app` and `nest g pipeline` scaffold an app and a second pipeline, `nest build` builds
 * the result, and the built server answers both types over HTTP against the simulators; the
 * scaffolded e2e tests pass; `--dry-run` writes nothing; a stock schematic still works.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { freePort } from '../tools/ferretdb/launcher';
import { startSims, Sims } from './support/simulators';
import { isolatedDatabaseUri } from './support/test-app';

const ROOT = resolve(__dirname, '..');
const PNG_SIGNATURE = '89504e470d0a1a0a';

interface Run {
  code: number;
  output: string;
}

function run(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 240_000): Promise<Run> {
  return new Promise((done) => {
    execFile(command, args, { cwd, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', ...env } }, (error, stdout, stderr) =>
      // The CLI colours its output whatever NO_COLOR says; the words are what is checked.
      done({ code: error ? Number((error as { code?: unknown }).code ?? 1) || 1 : 0, output: `${stdout}${stderr}`.replace(/\u001b\[[0-9;]*m/g, '') }),
    );
  });
}

/** The repository's files as git sees them (tracked, and new ones not ignored), copied to `target`. */
async function copyRepository(target: string): Promise<void> {
  const listed = await run(ROOT, 'git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z']);
  if (listed.code !== 0) throw new Error(listed.output);
  for (const file of listed.output.split('\0').filter(Boolean)) {
    if (!existsSync(join(ROOT, file))) continue;
    mkdirSync(dirname(join(target, file)), { recursive: true });
    cpSync(join(ROOT, file), join(target, file));
  }
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(target, 'node_modules'));
}

async function waitForServer(url: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the built server exited with code ${server.exitCode}`);
    try {
      if ((await fetch(`${url}/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((wait) => setTimeout(wait, 200));
  }
  throw new Error(`the built server did not answer within ${timeoutMs} ms`);
}

describe('Nest CLI schematics (e2e, in a copy of the repository)', () => {
  let copy: string;
  const nest = (...args: string[]) => run(copy, process.execPath, [join(copy, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), ...args]);
  const read = (file: string) => readFileSync(join(copy, file), 'utf8');

  beforeAll(async () => {
    copy = mkdtempSync(join(tmpdir(), 'inspilot-scaffold-'));
    await copyRepository(copy);
  }, 120_000);

  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it('lists the app and pipeline schematics beside the stock ones', async () => {
    const help = await nest('generate', '--help');
    expect(help.output).toMatch(/│ app\s/);
    expect(help.output).toMatch(/│ pipeline\s/);
    expect(help.output).toMatch(/│ service\s/);
  });

  it('--dry-run shows what would be written and writes nothing', async () => {
    const dry = await nest('g', 'app', 'essay', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.output).toContain('CREATE src/apps/essay/essay.module.ts');
    expect(dry.output).toContain('CREATE test/essay-ideas.e2e-spec.ts');
    expect(dry.output).toContain('UPDATE src/app.module.ts');
    expect(existsSync(join(copy, 'src/apps/essay'))).toBe(false);
    expect(read('src/app.module.ts')).not.toContain('EssayModule');
  });

  it('refuses a name that is not kebab-case, and a pipeline for an app that does not exist', async () => {
    expect((await nest('g', 'app', 'Essay_2')).output).toContain('kebab-case');
    expect((await nest('g', 'pipeline', 'summary', 'nowhere')).output).toContain('There is no app "nowhere"');
  });

  describe('an app and a second pipeline', () => {
    let sims: Sims;
    let server: ChildProcess | undefined;
    let url: string;

    beforeAll(async () => {
      for (const args of [['g', 'app', 'essay'], ['g', 'pipeline', 'summary', 'essay'], ['g', 'service', 'widgets']]) {
        const result = await nest(...args);
        if (result.code !== 0) throw new Error(`nest ${args.join(' ')} failed:\n${result.output}`);
      }
      const build = await nest('build');
      if (build.code !== 0) throw new Error(`nest build failed:\n${build.output}`);
      sims = await startSims({ sdCount: 2 });
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      server = spawn(process.execPath, ['dist/main.js'], {
        cwd: copy,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? copy, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', MONGODB_URI: isolatedDatabaseUri(), ...sims.env },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      await waitForServer(url, server, 60_000);
    }, 420_000);

    afterAll(async () => {
      if (server && server.exitCode === null) {
        const exited = new Promise((done) => server!.once('exit', done));
        server.kill('SIGTERM');
        await exited;
      }
      await sims?.closeAll();
    });

    it('wrote the app into its own folders, registered it, and gave it the next free APP_ID and types', () => {
      for (const file of [
        'src/apps/essay/essay.module.ts',
        'src/apps/essay/essay.app.ts',
        'src/apps/essay/essay.config.ts',
        'src/apps/essay/pipelines/ideas.pipeline.ts',
        'src/apps/essay/pipelines/ideas.dto.ts',
        'src/apps/essay/pipelines/summary.pipeline.ts',
        'prompts/essay/ideas.hbs',
        'prompts/essay/summary.hbs',
        'prompts/essay/styles/ideas.json',
        'test/essay-ideas.e2e-spec.ts',
        'test/essay-summary.e2e-spec.ts',
      ]) {
        expect({ file, exists: existsSync(join(copy, file)) }).toEqual({ file, exists: true });
      }
      expect(read('src/app.module.ts')).toMatch(/imports: \[[^\]]*EssayModule/);
      expect(read('src/apps/essay/essay.config.ts')).toContain('ESSAY_APP_ID = 1;');
      expect(read('src/apps/essay/pipelines/ideas.pipeline.ts')).toContain('readonly type = 0;');
      expect(read('src/apps/essay/pipelines/summary.pipeline.ts')).toContain('readonly type = 1;');
      expect(read('src/apps/essay/essay.module.ts')).toMatch(/providers: \[EssayApp, IdeasPipeline, SummaryPipeline\]/);
      expect(read('.env.example')).toMatch(/^ESSAY_APP_ID=1$/m);
      expect(read('README.md')).toContain('| `ESSAY_APP_ID` | `1` |');
      // The stock schematic wrote its service and registered it.
      expect(existsSync(join(copy, 'src/widgets/widgets.service.ts'))).toBe(true);
      expect(read('src/app.module.ts')).toContain('WidgetsService');
    });

    it.each([0, 1])('the built server answers type %i of the new app with each idea and its picture', async (type) => {
      const response = await fetch(`${url}/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ appid: 1, type, prompts: { subject: '城市通勤', num: 2 } }),
      });
      const body = (await response.json()) as { success: boolean; data: { count: number; result: Array<{ text: string; image: string }> } };
      expect(response.status).toBe(200);
      expect(body.success).toBe(true);
      expect(body.data.count).toBe(2);
      for (const item of body.data.result) {
        expect(item.text).toEqual(expect.stringMatching(/\S/));
        expect(Buffer.from(item.image, 'base64').subarray(0, 8).toString('hex')).toBe(PNG_SIGNATURE);
      }
    });

    it('the built server documents the new app with no extra work: GET /apps, its schemas, and runnable examples', async () => {
      const apps = (await (await fetch(`${url}/apps`)).json()) as { data: Array<{ appid: number; name: string; types: Array<{ type: number; name: string; prompts: string; data: string }> }> };
      const essay = apps.data.find((app) => app.name === 'essay');
      expect(essay).toMatchObject({ appid: 1, types: [{ type: 0, name: 'ideas' }, { type: 1, name: 'summary' }] });
      const doc = (await (await fetch(`${url}/docs-json`)).json()) as any;
      for (const { prompts, data } of essay!.types) {
        expect(Object.keys(doc.components.schemas[prompts].properties)).toEqual(['subject', 'num']);
        expect(Object.keys(doc.components.schemas[data].properties)).toEqual(['count', 'result']);
      }
      const examples = doc.paths['/generate'].post.requestBody.content['application/json'].examples;
      for (const type of [0, 1]) {
        const example = examples[`essay-${type}`];
        expect(example.value).toEqual({ appid: 1, type, prompts: { subject: '城市通勤', num: 3 } });
        const response = await fetch(`${url}/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(example.value) });
        expect(((await response.json()) as { code: number }).code).toBe(0);
      }
    });

    it('the scaffolded e2e tests pass', async () => {
      const tests = await run(copy, process.execPath, [join(copy, 'node_modules', 'jest', 'bin', 'jest.js'), 'test/essay-ideas', 'test/essay-summary'], {
        MONGODB_URI: process.env.MONGODB_URI,
      });
      expect({ code: tests.code, output: tests.code === 0 ? '' : tests.output.slice(-3000) }).toEqual({ code: 0, output: '' });
      expect(tests.output).toMatch(/Tests:\s+\d+ passed, \d+ total/);
    }, 240_000);
  });
});
