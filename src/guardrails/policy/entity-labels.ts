import type { EntityType } from "../detectors/index.js";

/** The short label of each entity type in placeholders: `[EMAIL_1]`, `[REDACTED_CARD]`. */
export const entityLabels: Readonly<Record<EntityType, string>> = {
  EMAIL_ADDRESS: "EMAIL",
  PHONE_NUMBER: "PHONE",
  CREDIT_CARD: "CARD",
  IBAN_CODE: "IBAN",
  IP_ADDRESS: "IP",
  US_SSN: "SSN",
  CN_RESIDENT_ID: "CN_ID",
  EU_NATIONAL_ID: "EU_ID",
  SECRET: "SECRET",
  PERSON: "PERSON",
  LOCATION: "LOCATION",
  ORGANIZATION: "ORG",
  URL: "URL",
};

/** Groups a policy may name instead of single entity types. */
export const entityGroups: Readonly<Record<string, readonly EntityType[]>> = {
  contact: ["EMAIL_ADDRESS", "PHONE_NUMBER"],
  financial: ["CREDIT_CARD", "IBAN_CODE"],
  government: ["US_SSN", "CN_RESIDENT_ID", "EU_NATIONAL_ID"],
  network: ["IP_ADDRESS", "URL"],
  names: ["PERSON", "LOCATION", "ORGANIZATION"],
  secrets: ["SECRET"],
};

/** The label of a detection's entity type: the built-in label, or a custom pattern's or dictionary's own name. */
export function labelOf(entityType: string): string {
  if (entityType.startsWith("CUSTOM_")) return entityType.slice("CUSTOM_".length);
  return entityLabels[entityType as EntityType] ?? entityType;
}
