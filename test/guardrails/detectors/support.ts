import { createPiiScanner, type Detection, type EntityType } from "../../../src/guardrails/detectors/index.js";

/** The detections of one entity type in a text, as [value, detector] pairs. */
export function found(entityType: EntityType, text: string): string[] {
  const scanner = createPiiScanner({ entityTypes: [entityType] });
  return scanner.scan(text).map((detection) => text.slice(detection.start, detection.end));
}

export function detectionsOf(text: string, entityTypes: readonly EntityType[] | "all" = "all"): (Detection & { value: string })[] {
  return createPiiScanner({ entityTypes }).scan(text).map((detection) => ({ ...detection, value: text.slice(detection.start, detection.end) }));
}

/** Appends the Luhn check digit (written here independently of the detector). */
export function withLuhnDigit(body: string): string {
  let sum = 0;
  for (let index = 0; index < body.length; index += 1) {
    let digit = Number(body[body.length - 1 - index]);
    if (index % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return body + String((10 - (sum % 10)) % 10);
}

/** Changes the last digit so the check fails. */
export function breakLastDigit(value: string): string {
  const last = Number(value[value.length - 1]);
  return value.slice(0, -1) + String((last + 1) % 10);
}
