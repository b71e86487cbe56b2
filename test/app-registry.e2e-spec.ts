/**
 * The start-up checks of the registry in the real application: a template or image style a
 * pipeline names and the prompts folder lacks stops the start, naming each.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { createTestApp } from './support/test-app';

const PROMPTS_DIR = resolve(__dirname, '..', 'prompts');

describe('app registry at start-up (e2e)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'inspilot-prompts-'));
    cpSync(PROMPTS_DIR, dir, { recursive: true });
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start without a template or style a paint pipeline names, naming app, pipeline, step and file', async () => {
    rmSync(join(dir, 'paint', 'abstracts.hbs'));
    rmSync(join(dir, 'paint', 'styles', 'product.json'));
    const message = await createTestApp({ PROMPTS_DIR: dir }, { logger: false }).then(
      async (testApp) => {
        await testApp.close();
        return 'started';
      },
      (error: Error) => error.message,
    );
    expect(message).toContain(
      `App "paint" pipeline "rapid-divergence" (type 0) step "abstracts" needs template "paint/abstracts": no file ${join(dir, 'paint', 'abstracts.hbs')}`,
    );
    // Every pipeline that names them, each step once.
    expect(message.match(/needs template "paint\/abstracts"/g)).toHaveLength(2);
    expect(message).toContain(
      `App "paint" pipeline "convergence-combination" (type 3) step "productImages" needs image style "paint/product": no file ${join(dir, 'paint', 'styles', 'product.json')}`,
    );
  });

  it("gives the paint app the four pipelines of its module", async () => {
    const testApp = await createTestApp({ PROMPTS_DIR: dir }, { logger: false });
    try {
      const response = await request(testApp.app.getHttpServer()).post('/generate').send({ appid: 0, type: 9, prompts: {} });
      expect(response.status).toBe(400);
      expect(response.body.message).toBe(
        'Unknown type 9 for app 0 (paint); known types: 0 (rapid-divergence), 1 (deep-divergence), 2 (convergence-naming), 3 (convergence-combination).',
      );
    } finally {
      await testApp.close();
    }
  });
});
