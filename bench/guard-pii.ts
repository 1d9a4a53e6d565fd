/** Span-level PII quality on Presidio-format records (bench:guard). */
import type { Detection, PiiScanner } from "../src/guardrails/detectors/index.js";

export type PiiRecord = { full_text: string; spans: { entity_type: string; start_position: number; end_position: number }[] };

/** Our entity types → the gold labels they are judged against (a gold label maps to one of our types). */
export const goldLabelOf: Record<string, string> = {
  EMAIL_ADDRESS: "EMAIL_ADDRESS",
  PHONE_NUMBER: "PHONE_NUMBER",
  CREDIT_CARD: "CREDIT_CARD",
  IBAN_CODE: "IBAN_CODE",
  IP_ADDRESS: "IP_ADDRESS",
  US_SSN: "US_SSN",
  PERSON: "PERSON",
  STREET_ADDRESS: "LOCATION",
  GPE: "LOCATION",
  ORGANIZATION: "ORGANIZATION",
  DOMAIN_NAME: "URL",
};
/** The structured group: identifiers with layouts and checksums. Our types with no gold label here count as false positives. */
export const structuredTypes = ["CREDIT_CARD", "IBAN_CODE", "EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "IP_ADDRESS", "CN_RESIDENT_ID", "EU_NATIONAL_ID", "SECRET"];

type Span = { type: string; start: number; end: number };
export type Counts = { truePositives: number; predicted: number; gold: number; recalled: number };
export type PiiQuality = {
  strict: Map<string, Counts>;
  lenient: Map<string, Counts>;
  unmappedGold: Map<string, number>;
  recordsWithoutSpans: number;
  recordsWithoutSpansMasked: number;
  falsePositiveExamples: string[];
  missedExamples: string[];
};

function counts(map: Map<string, Counts>, type: string): Counts {
  let value = map.get(type);
  if (value === undefined) map.set(type, (value = { truePositives: 0, predicted: 0, gold: 0, recalled: 0 }));
  return value;
}

function overlap(a: Span, b: Span): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}

/**
 * Strict: same type and the same [start, end). Lenient (Presidio's overlap ≥ 0.5, fit for addresses labelled as
 * fragments): a gold span is recalled when predictions of its type cover at least half of it; a prediction is
 * correct when gold spans of its type cover at least half of it.
 */
export function measurePii(records: PiiRecord[], scanner: PiiScanner): PiiQuality {
  const quality: PiiQuality = { strict: new Map(), lenient: new Map(), unmappedGold: new Map(), recordsWithoutSpans: 0, recordsWithoutSpansMasked: 0, falsePositiveExamples: [], missedExamples: [] };
  for (const record of records) {
    const detections: Detection[] = scanner.scan(record.full_text);
    const predicted: Span[] = detections.map((detection) => ({ type: detection.entityType, start: detection.start, end: detection.end }));
    const gold: Span[] = [];
    for (const span of record.spans) {
      const type = goldLabelOf[span.entity_type];
      if (type === undefined) quality.unmappedGold.set(span.entity_type, (quality.unmappedGold.get(span.entity_type) ?? 0) + 1);
      else gold.push({ type, start: span.start_position, end: span.end_position });
    }
    if (record.spans.length === 0) {
      quality.recordsWithoutSpans += 1;
      if (predicted.length > 0) {
        quality.recordsWithoutSpansMasked += 1;
        quality.falsePositiveExamples.push(`[no spans] ${predicted.map((span) => `${span.type}:${JSON.stringify(record.full_text.slice(span.start, span.end))}`).join(" ")}`);
      }
    }
    for (const span of gold) {
      counts(quality.strict, span.type).gold += 1;
      counts(quality.lenient, span.type).gold += 1;
      const exact = predicted.some((prediction) => prediction.type === span.type && prediction.start === span.start && prediction.end === span.end);
      if (exact) counts(quality.strict, span.type).recalled += 1;
      const covered = predicted.filter((prediction) => prediction.type === span.type).reduce((sum, prediction) => sum + overlap(prediction, span), 0);
      if (covered * 2 >= span.end - span.start) counts(quality.lenient, span.type).recalled += 1;
      else if (structuredTypes.includes(span.type)) quality.missedExamples.push(`${span.type}: ${JSON.stringify(record.full_text.slice(span.start, span.end))} in ${JSON.stringify(record.full_text.slice(0, 160))}`);
    }
    for (const prediction of predicted) {
      counts(quality.strict, prediction.type).predicted += 1;
      counts(quality.lenient, prediction.type).predicted += 1;
      if (gold.some((span) => span.type === prediction.type && span.start === prediction.start && span.end === prediction.end)) counts(quality.strict, prediction.type).truePositives += 1;
      const covered = gold.filter((span) => span.type === prediction.type).reduce((sum, span) => sum + overlap(prediction, span), 0);
      if (covered * 2 >= prediction.end - prediction.start) counts(quality.lenient, prediction.type).truePositives += 1;
      else if (structuredTypes.includes(prediction.type)) quality.falsePositiveExamples.push(`${prediction.type}: ${JSON.stringify(record.full_text.slice(prediction.start, prediction.end))} in ${JSON.stringify(record.full_text.slice(0, 160))}`);
    }
  }
  return quality;
}

export function rates(value: Counts): { precision: number; recall: number; f2: number } {
  const precision = value.predicted === 0 ? (value.gold === 0 ? 1 : 0) : value.truePositives / value.predicted;
  const recall = value.gold === 0 ? 1 : value.recalled / value.gold;
  const f2 = precision + recall === 0 ? 0 : (5 * precision * recall) / (4 * precision + recall);
  return { precision, recall, f2 };
}

/** Micro-average over some types. */
export function microAverage(map: Map<string, Counts>, types: readonly string[]): Counts {
  const total: Counts = { truePositives: 0, predicted: 0, gold: 0, recalled: 0 };
  for (const type of types) {
    const value = map.get(type);
    if (value === undefined) continue;
    total.truePositives += value.truePositives;
    total.predicted += value.predicted;
    total.gold += value.gold;
    total.recalled += value.recalled;
  }
  return total;
}
