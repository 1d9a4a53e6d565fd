export type { CustomPattern, Detection, Dictionary, EntityType, InjectionFinding, PiiScanner, ScannerOptions } from "./types.js";
export { ENTITY_TYPES } from "./types.js";
export { InvalidPatternError } from "./errors.js";
export { createPiiScanner } from "./create-pii-scanner.js";
export { detectInjection, normalizeUntrustedText } from "./injection.js";
export { injectionRules } from "./injection-rules.js";
