import { SERVICE_NAMESPACES } from '../app.environment';
import { loadEnvironment } from './environment';
import { redisConfig } from './redis.config';

const REQUIRED = { OPENAI_API_KEY: 'sk-test', SD_ENDPOINTS: 'http://127.0.0.1:7860' };

describe('redis configuration', () => {
  it('leaves the pool in this process when REDIS_URL is unset', () => {
    expect(loadEnvironment(REQUIRED, SERVICE_NAMESPACES).config(redisConfig)).toEqual({
      url: undefined,
      timeoutMs: 10000,
      heartbeatTtlMs: 10000,
      leaseTtlMs: 30000,
    });
  });

  it('takes a redis:// or rediss:// URL and the timings', () => {
    const environment = loadEnvironment(
      { ...REQUIRED, REDIS_URL: 'rediss://user:secret@cache.example:6380/2', REDIS_TIMEOUT_MS: '500', NODE_HEARTBEAT_TTL_MS: '1000', SD_LEASE_TTL_MS: '3000' },
      SERVICE_NAMESPACES,
    );
    expect(environment.config(redisConfig)).toEqual({ url: 'rediss://user:secret@cache.example:6380/2', timeoutMs: 500, heartbeatTtlMs: 1000, leaseTtlMs: 3000 });
  });

  it('names a URL that is not Redis and timings out of range, with what it got', () => {
    expect(() =>
      loadEnvironment({ ...REQUIRED, REDIS_URL: 'http://127.0.0.1:6379', SD_LEASE_TTL_MS: '10', NODE_HEARTBEAT_TTL_MS: 'soon' }, SERVICE_NAMESPACES),
    ).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(
          /REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL[^\n]*\(got "http:\/\/127\.0\.0\.1:6379"\)[\s\S]*NODE_HEARTBEAT_TTL_MS:[^\n]*\(got "soon"\)[\s\S]*SD_LEASE_TTL_MS:[^\n]*\(got "10"\)/,
        ),
      }),
    );
  });
});
