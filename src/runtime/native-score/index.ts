export { NativePromptScorer } from "./native-prompt-scorer.js";
export { nativePromptLogprobs, type PromptLogprobsScorer } from "./native-prompt-logprobs.js";
export { NativeScoreEngine, scoringContextSize, type NativeScoreEngineOptions } from "./native-score-engine.js";
export { nativeScorerPath, type EngineSetting } from "./native-scorer-path.js";
export type { NativeScoreGroup, NativeScoreRequest, NativeScoreResult, NativeScorerInfo } from "./score-protocol.js";
