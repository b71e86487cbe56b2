/**
 * The <%= app %> app's <%= name %> pipeline (type <%= type %>) over HTTP, against the real database and the
 * GPT and Stable Diffusion simulators. Run it alone with: npx jest test/<%= app %>-<%= name %>
 */
import request from 'supertest';
import { <%= variables %> } from '../src/apps/<%= app %>/<%= app %>.config';
import { startSims, Sims } from './support/simulators';
import { createTestApp, TestApp } from './support/test-app';

const APP_ID = new <%= variables %>().<%= variable %>;
const TYPE = <%= type %>;
const PNG_SIGNATURE = '89504e470d0a1a0a';

describe('<%= app %> app, <%= name %> pipeline (type <%= type %>) (e2e)', () => {
  let sims: Sims;
  let testApp: TestApp;

  beforeAll(async () => {
    sims = await startSims({ sdCount: 2 });
    testApp = await createTestApp(sims.env);
  });

  afterAll(async () => {
    await testApp?.close();
    await sims?.closeAll();
  });

  const generate = (prompts: unknown) =>
    request(testApp.app.getHttpServer()).post('/generate').send({ appid: APP_ID, type: TYPE, prompts });

  it('answers the ideas asked for, each with its picture as bare base64 PNG', async () => {
    const response = await generate({ subject: '城市通勤', num: 2 });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ success: true, code: 0, message: '' });
    const { count, result } = response.body.data;
    expect(count).toBe(2);
    expect(result).toHaveLength(2);
    for (const item of result) {
      expect(item.text).toEqual(expect.stringMatching(/\S/));
      expect(Buffer.from(item.image, 'base64').subarray(0, 8).toString('hex')).toBe(PNG_SIGNATURE);
    }
    expect(sims.sdEvents().filter((event) => event.outcome === 'ok')).toHaveLength(2);
  });

  it('makes 3 when num is left out', async () => {
    const response = await generate({ subject: '厨房收纳' });
    expect(response.body.data.count).toBe(3);
  });

  it.each([
    ['missing', {}],
    ['empty', { subject: '   ' }],
    ['not text', { subject: 7 }],
  ])('refuses a %s subject with 400, code 1, naming the field', async (_label, prompts) => {
    const response = await generate(prompts);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ success: false, data: null, code: 1, message: expect.stringContaining('prompts.subject') });
  });

  it('refuses num outside 1–10 with 400, code 1', async () => {
    const response = await generate({ subject: '厨房收纳', num: 11 });
    expect(response.status).toBe(400);
    expect(response.body.message).toContain('prompts.num');
  });
});
