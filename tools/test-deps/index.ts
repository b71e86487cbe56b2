/** What the test run needs beyond npm packages, checked (and installed where it can be) before it starts. */
export { ensureSchemathesis, SCHEMATHESIS } from './schemathesis';
