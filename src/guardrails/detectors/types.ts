/** One detected value: half-open UTF-16 offsets into the scanned text. The value itself is text.slice(start, end). */
export type Detection = { entityType: EntityType | `CUSTOM_${string}`; detector: string; start: number; end: number; score: number };

export type EntityType =
  | "EMAIL_ADDRESS"
  | "PHONE_NUMBER"
  | "CREDIT_CARD"
  | "IBAN_CODE"
  | "IP_ADDRESS"
  | "US_SSN"
  | "CN_RESIDENT_ID"
  | "EU_NATIONAL_ID"
  | "SECRET"
  | "PERSON"
  | "LOCATION"
  | "ORGANIZATION"
  | "URL";

/** RE2 syntax; an invalid pattern makes createPiiScanner throw InvalidPatternError naming it. */
export type CustomPattern = { name: string; pattern: string; flags?: "i" | undefined };

export type Dictionary = { name: string; words: string[]; caseSensitive?: boolean };

export type ScannerOptions = { entityTypes: readonly EntityType[] | "all"; custom?: CustomPattern[]; dictionaries?: Dictionary[] };

export interface PiiScanner {
  /** Non-overlapping detections sorted by start (on overlap the longer / higher-score one wins). Throws on internal failure (callers fail closed). */
  scan(text: string): Detection[];
  /** The longest text a single detection could span, in UTF-16 units (streaming hold-back bound for output scanning). */
  readonly maxDetectionLength: number;
  /**
   * Streaming: how many characters at the end of a text that has not ended could still become part of a detection
   * (at most maxDetectionLength - 1). Without it a stream holds back maxDetectionLength - 1 characters.
   */
  streamingTail?(text: string): number;
  /**
   * Streaming: the detections that reach into `text[from…]` (offsets into `text`), each detector scanning only from
   * its own longest detection (and context) before `from`, so a stream's new text costs what it adds. Same rules
   * and failures as scan(). Without it a stream scans the whole window.
   */
  scanFrom?(text: string, from: number): Detection[];
}

/** A prompt-injection heuristic hit: offsets into the NORMALIZED text (normalizeUntrustedText). */
export type InjectionFinding = { rule: string; start: number; end: number; score: number };

/** Every entity type, in a stable order. */
export const ENTITY_TYPES: readonly EntityType[] = [
  "EMAIL_ADDRESS",
  "PHONE_NUMBER",
  "CREDIT_CARD",
  "IBAN_CODE",
  "IP_ADDRESS",
  "US_SSN",
  "CN_RESIDENT_ID",
  "EU_NATIONAL_ID",
  "SECRET",
  "PERSON",
  "LOCATION",
  "ORGANIZATION",
  "URL",
];
