import { createCnResidentIdRecognizer } from "./cn-resident-id-recognizer.js";
import { createCreditCardRecognizer } from "./credit-card-recognizer.js";
import { createCustomPatternRecognizer } from "./custom-pattern-recognizer.js";
import { createDictionaryRecognizer } from "./dictionary-recognizer.js";
import { createEmailRecognizer } from "./email-recognizer.js";
import { createEuNationalIdRecognizer } from "./eu-national-id-recognizer.js";
import { InvalidPatternError } from "./errors.js";
import { createIbanRecognizer } from "./iban-recognizer.js";
import { createIpAddressRecognizer } from "./ip-address-recognizer.js";
import { createNameRecognizer } from "./name-recognizer.js";
import { createPhoneRecognizer } from "./phone-recognizer.js";
import type { Recognizer } from "./recognizer.js";
import { resolveOverlaps } from "./resolve-overlaps.js";
import { createSecretRecognizer } from "./secret-recognizer.js";
import { streamingTailOf, type StreamingTail } from "./streaming-tail.js";
import { ENTITY_TYPES, type Detection, type EntityType, type PiiScanner, type ScannerOptions } from "./types.js";
import { createUrlRecognizer } from "./url-recognizer.js";
import { createUsSsnRecognizer } from "./us-ssn-recognizer.js";

/** The built-in recognizer for each entity type (PERSON, LOCATION and ORGANIZATION share one). */
function builtInRecognizers(enabled: ReadonlySet<EntityType>): Recognizer[] {
  const recognizers: Recognizer[] = [];
  const seen = new Set<string>();
  for (const entityType of ENTITY_TYPES) {
    if (!enabled.has(entityType)) continue;
    const recognizer = recognizerFor(entityType, enabled);
    if (!seen.has(recognizer.detector)) {
      seen.add(recognizer.detector);
      recognizers.push(recognizer);
    }
  }
  return recognizers;
}

function recognizerFor(entityType: EntityType, enabled: ReadonlySet<EntityType>): Recognizer {
  switch (entityType) {
    case "EMAIL_ADDRESS":
      return createEmailRecognizer();
    case "PHONE_NUMBER":
      return createPhoneRecognizer();
    case "CREDIT_CARD":
      return createCreditCardRecognizer();
    case "IBAN_CODE":
      return createIbanRecognizer();
    case "IP_ADDRESS":
      return createIpAddressRecognizer();
    case "US_SSN":
      return createUsSsnRecognizer();
    case "CN_RESIDENT_ID":
      return createCnResidentIdRecognizer();
    case "EU_NATIONAL_ID":
      return createEuNationalIdRecognizer();
    case "SECRET":
      return createSecretRecognizer();
    case "URL":
      return createUrlRecognizer();
    case "PERSON":
    case "LOCATION":
    case "ORGANIZATION":
      return createNameRecognizer(enabled);
    default:
      return entityType satisfies never;
  }
}

function assertWellFormed(detection: Detection, textLength: number, recognizer: Recognizer): void {
  const { start, end } = detection;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > textLength || end <= start) {
    throw new Error(`detector ${recognizer.detector} returned a malformed span [${start}, ${end}) for a text of ${textLength}`);
  }
  if (end - start > recognizer.maxLength) throw new Error(`detector ${recognizer.detector} returned a span longer than its bound ${recognizer.maxLength}`);
}

/**
 * A scanner for the given entity types, custom patterns (RE2) and dictionaries. Invalid custom patterns or
 * dictionaries throw InvalidPatternError naming them. scan() throws when a detector fails or returns a malformed
 * span: callers fail closed.
 */
export function createPiiScanner(options: ScannerOptions): PiiScanner {
  const requested = options.entityTypes === "all" ? ENTITY_TYPES : options.entityTypes;
  for (const entityType of requested) {
    if (!ENTITY_TYPES.includes(entityType)) throw new TypeError(`unknown entity type '${String(entityType)}'`);
  }
  const enabled = new Set<EntityType>(requested);
  const names = new Set<string>();
  const recognizers = builtInRecognizers(enabled);
  for (const custom of options.custom ?? []) {
    if (names.has(String(custom.name).toUpperCase())) throw new InvalidPatternError(custom.name, "the name is used twice");
    names.add(String(custom.name).toUpperCase());
    recognizers.push(createCustomPatternRecognizer(custom));
  }
  for (const dictionary of options.dictionaries ?? []) {
    if (names.has(String(dictionary.name).toUpperCase())) throw new InvalidPatternError(dictionary.name, "the name is used twice", "dictionary");
    names.add(String(dictionary.name).toUpperCase());
    recognizers.push(createDictionaryRecognizer(dictionary));
  }
  const maxDetectionLength = Math.max(1, ...recognizers.map((recognizer) => recognizer.maxLength + recognizer.contextLength));
  // Streaming tails: the built-in detectors' own; custom patterns and dictionaries hold back their longest match.
  const tails = recognizers.map((recognizer): { tail: StreamingTail | undefined; limit: number } => {
    const builtIn = recognizer.entityTypes.find((entityType): entityType is EntityType => ENTITY_TYPES.includes(entityType as EntityType));
    return { tail: builtIn === undefined ? undefined : streamingTailOf(builtIn), limit: Math.max(0, recognizer.maxLength - 1) };
  });
  return {
    maxDetectionLength,
    scan(text: string): Detection[] {
      if (typeof text !== "string") throw new TypeError("scan() takes a string");
      const candidates: Detection[] = [];
      for (const recognizer of recognizers) {
        const from = candidates.length;
        recognizer.find(text, candidates);
        for (let index = from; index < candidates.length; index += 1) assertWellFormed(candidates[index]!, text.length, recognizer);
      }
      return resolveOverlaps(candidates, maxDetectionLength);
    },
    streamingTail(text: string): number {
      let longest = 0;
      for (const { tail, limit } of tails) longest = Math.max(longest, tail === undefined ? Math.min(text.length, limit) : tail(text, limit));
      return Math.min(text.length, longest);
    },
    scanFrom(text: string, from: number): Detection[] {
      if (typeof text !== "string") throw new TypeError("scanFrom() takes a string");
      const candidates: Detection[] = [];
      const found: Detection[] = [];
      for (const recognizer of recognizers) {
        // A detection reaching into text[from…] starts at most maxLength (plus its context) before it.
        const start = Math.max(0, from - recognizer.maxLength - recognizer.contextLength);
        const piece = start === 0 ? text : text.slice(start);
        found.length = 0;
        recognizer.find(piece, found);
        for (const detection of found) {
          assertWellFormed(detection, piece.length, recognizer);
          if (detection.end + start > from) candidates.push({ ...detection, start: detection.start + start, end: detection.end + start });
        }
      }
      return resolveOverlaps(candidates, maxDetectionLength);
    },
  };
}
