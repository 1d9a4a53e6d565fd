export { createRuntime } from "./create-runtime.js";
export { inspectGguf } from "./inspect-gguf.js";
export { inspectProjector } from "./inspect-projector.js";
export { modalitiesOf, type Modalities } from "./modalities.js";
export type { RuntimeLogger, RuntimeOptions } from "./runtime-options.js";
export type { EmbeddingTokenizer, ModelMetadata, ProjectorMetadata, PromptScoreRequest, RankingModel, PromptScorer, RegisteredModel, Runtime, RuntimeStats } from "./types.js";
export { grammarAcceptance, type GrammarAcceptance, type GrammarAcceptanceOptions } from "./grammar-acceptance.js";
export { jsonSchemaGrammar, toolCallGrammar } from "./tool-call-grammar.js";
