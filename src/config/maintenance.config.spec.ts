import { SERVICE_NAMESPACES } from '../app.environment';
import { loadEnvironment } from './environment';
import { maintenanceConfig } from './maintenance.config';

const REQUIRED = { OPENAI_API_KEY: 'sk-test', SD_ENDPOINTS: 'http://127.0.0.1:7860' };

describe('maintenance configuration', () => {
  it('sweeps images daily at 03:00 and gone nodes every minute by default', () => {
    expect(loadEnvironment(REQUIRED, SERVICE_NAMESPACES).config(maintenanceConfig)).toEqual({
      imageRetentionCron: '0 3 * * *',
      goneNodesSweepMs: 60000,
      leaseMs: 60000,
    });
  });

  it.each(['*/10 * * * * *', '30 2 * * 1-5', '@weekly'])('takes the cron expression %s', (cron) => {
    expect(loadEnvironment({ ...REQUIRED, IMAGE_RETENTION_CRON: cron }, SERVICE_NAMESPACES).config(maintenanceConfig).imageRetentionCron).toBe(cron);
  });

  it.each([
    ['0 25 * * *', /out of range/],
    ['0 3 * *', /Too few fields/],
    ['1 2 3 4 5 6 7', /Too many fields/],
    ['at three', /cron expression/],
  ])('refuses IMAGE_RETENTION_CRON=%s, naming the variable, the reason and the value', (cron, reason) => {
    let message = '';
    try {
      loadEnvironment({ ...REQUIRED, IMAGE_RETENTION_CRON: cron }, SERVICE_NAMESPACES);
    } catch (error) {
      message = (error as Error).message;
    }
    const line = message.split('\n').find((each) => each.includes('IMAGE_RETENTION_CRON'));
    expect(line).toMatch(/^ {2}- IMAGE_RETENTION_CRON: must be a cron expression such as 0 3 \* \* \*/);
    expect(line).toMatch(reason);
    expect(line).toContain(`(got ${JSON.stringify(cron)})`);
  });

  it('refuses periods out of range, with what it got', () => {
    expect(() => loadEnvironment({ ...REQUIRED, GONE_NODES_SWEEP_MS: '10', MAINTENANCE_LEASE_MS: 'long' }, SERVICE_NAMESPACES)).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/GONE_NODES_SWEEP_MS:[^\n]*\(got "10"\)[\s\S]*MAINTENANCE_LEASE_MS:[^\n]*\(got "long"\)/) }),
    );
  });
});
