export { nativeBuild, selectEngine, type EngineSelection, type NativeBuild } from "./native-build.js";
export { NativeEmbeddingModel } from "./native-embedding-model.js";
export { NativeLanguageModel } from "./native-language-model.js";
export type { WorkerSnapshot, WorkerState } from "./llama-server-worker.js";
