// Provider settings are required at start; tests that do not talk to the providers get
// addresses where nothing listens (port 9, discard), and the others pass their simulators'.
process.env.OPENAI_API_KEY ??= 'sk-test';
process.env.OPENAI_BASE_URL ??= 'http://127.0.0.1:9/v1';
process.env.SD_ENDPOINTS ??= 'http://127.0.0.1:9';
