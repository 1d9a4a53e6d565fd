export { alternativeArguments, canonicalArguments, canonicalValue, spacedJson, toolCallText, type ArgumentSpan, type OptionalParameters } from "./canonical-call.js";
export {
  failuresByFeature, measureGrammarCoverage, type AlternativeFailure, type CallFailure, type GrammarCoverageOptions, type GrammarCoverageReport, type Tally,
} from "./grammar-coverage.js";
export { loadBfclDataset, type BfclCall, type BfclCategory, type BfclEntry, type BfclFunction } from "./load-bfcl-dataset.js";
export { normalizeToolSchema, openAiToolName } from "./normalize-tool-schema.js";
export { argumentFeatures } from "./schema-features.js";
