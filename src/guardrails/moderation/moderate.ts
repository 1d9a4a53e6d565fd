import { detectInjection, normalizeUntrustedText, type PiiScanner } from "../detectors/index.js";

/** The categories `POST /v1/moderations` reports. */
export const moderationCategories = ["pii", "secrets", "prompt_injection"] as const;
export type ModerationCategory = (typeof moderationCategories)[number];

/** One input's result, in OpenAI's moderation shape. */
export type ModerationResult = {
  flagged: boolean;
  categories: Record<ModerationCategory, boolean>;
  category_scores: Record<ModerationCategory, number>;
  category_applied_input_types: Record<ModerationCategory, ["text"]>;
};

/**
 * Moderates one text with the guardrail detectors: `pii` (any personal-data entity), `secrets` (API keys, tokens,
 * private keys, connection strings), `prompt_injection` (instruction-like text, after normalisation). A category's
 * score is its strongest detection's (0 when none); flagged when any category is. Throws when a detector fails.
 */
export function moderate(scanner: PiiScanner, text: string): ModerationResult {
  const scores: Record<ModerationCategory, number> = { pii: 0, secrets: 0, prompt_injection: 0 };
  const categories: Record<ModerationCategory, boolean> = { pii: false, secrets: false, prompt_injection: false };
  const found = (category: ModerationCategory, score: number) => {
    categories[category] = true;
    scores[category] = Math.max(scores[category], score);
  };
  for (const detection of scanner.scan(text)) found(detection.entityType === "SECRET" ? "secrets" : "pii", detection.score);
  for (const finding of detectInjection(normalizeUntrustedText(text))) found("prompt_injection", finding.score);
  return {
    flagged: categories.pii || categories.secrets || categories.prompt_injection,
    categories,
    category_scores: scores,
    category_applied_input_types: { pii: ["text"], secrets: ["text"], prompt_injection: ["text"] },
  };
}
