/** What the test run needs beyond npm packages, checked (and installed where it can be) before it starts. */
export { ensureChromium, CHROMIUM_DEFAULT_PATH } from './chromium';
export { ensureSchemathesis, SCHEMATHESIS } from './schemathesis';
export { ensureRedisServer, REDIS_DEFAULT_PATH } from './redis';
