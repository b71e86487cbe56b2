/** Everything an app needs from the engine: apps import only from here. */
export { EngineModule } from './engine.module';
export { GenerationAppModule, RegisterGenerationApp } from './generation-app';
export type { GenerationApp } from './generation-app';
export { finalCreatives, madeImage } from './creatives';
export { GenerationPipeline, RegisterPipeline } from './generation-pipeline';
export type { PipelineCreatives } from './generation-pipeline';
export type { ImageOutcome, MadeImage } from './made-image';
export { defineGraph } from './step-graph';
export type { CreativeParts, GraphSpec, ListStepInput, SdStepInput, StepInputs, StepResults, StepSpec, TextStepInput } from './step-graph';
export { withImages } from './with-images';
