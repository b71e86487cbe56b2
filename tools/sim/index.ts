/** Model-provider simulators for e2e tests, the demo and benchmarks. */
export * from './core';
export { startGptSim, GPT_DEFAULTS, type GptSimOptions, type GptSimHandle } from './gpt';
export { startSdSim, SD_DEFAULTS, SDXL_CHECKPOINT, type SdSimOptions, type SdSimHandle } from './sd';
export { answerFor, requestedCount } from './gpt-text';
export { readPngText, crc32 } from './png';
