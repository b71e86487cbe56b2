// Provider settings are required at start; tests that do not talk to the providers get
// addresses where nothing listens (port 9, discard), and the others pass their simulators'.
process.env.OPENAI_API_KEY ??= 'sk-test';
process.env.OPENAI_BASE_URL ??= 'http://127.0.0.1:9/v1';
process.env.SD_ENDPOINTS ??= 'http://127.0.0.1:9';
// Tests (and the processes they spawn) send thousands of requests from one address; the tests
// of the limits themselves set small ones.
process.env.RATE_LIMIT ??= '1000000';
process.env.RATE_LIMIT_GENERATE ??= '1000000';
