import { redisUptimeMs } from './redis-uptime';

describe('redisUptimeMs', () => {
  it("reads the least uptime Redis's INFO server section allows, in ms", () => {
    const info = (seconds: number) => `# Server\r\nredis_version:7.0.15\r\nprocess_id:4242\r\nuptime_in_seconds:${seconds}\r\nuptime_in_days:0\r\n`;
    // 37 whole seconds between two times rounded down: more than 36 s.
    expect(redisUptimeMs(info(37))).toBe(36_000);
    expect(redisUptimeMs(info(1))).toBe(0);
    expect(redisUptimeMs(info(0))).toBe(0);
  });

  it('says nothing when the section does not carry it', () => {
    expect(redisUptimeMs('# Server\r\nredis_version:7.0.15\r\n')).toBeUndefined();
    expect(redisUptimeMs('uptime_in_seconds:soon\r\n')).toBeUndefined();
  });
});
