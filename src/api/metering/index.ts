export type { CallContext, MeteringDependencies } from "./call-context.js";
export { estimatePromptTokens } from "./estimate-prompt-tokens.js";
export { InFlightRequests } from "./in-flight-requests.js";
export { meteredPartStream, type MeteredPartStreamOptions } from "./metered-part-stream.js";
export { runEmbeddingCall, type EmbeddingCallResult } from "./run-embedding-call.js";
export { runRerankCall, type RerankCallResult } from "./run-rerank-call.js";
export { guardFor, startLanguageModelCall, type LanguageModelCallRequest, type StartedLanguageModelCall } from "./start-language-model-call.js";
export { WriteAheadMeter } from "./write-ahead-meter.js";
