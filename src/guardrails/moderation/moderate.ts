import { detectInjection, normalizeUntrustedText, type PiiScanner } from "../detectors/index.js";
import { judgeCategories, type JudgeCategory, type JudgeVerdict } from "./judge.js";

/** The categories `POST /v1/moderations` reports. */
export const moderationCategories = ["pii", "secrets", "prompt_injection"] as const;
export type ModerationCategory = (typeof moderationCategories)[number];

/**
 * One input's result, in OpenAI's moderation shape: the detectors' categories, plus OpenAI's (`harassment`, `hate`,
 * `self-harm/intent`, …) when a judge model was asked.
 */
export type ModerationResult = {
  flagged: boolean;
  categories: Record<ModerationCategory, boolean> & Partial<Record<JudgeCategory, boolean>>;
  category_scores: Record<ModerationCategory, number> & Partial<Record<JudgeCategory, number>>;
  category_applied_input_types: Record<ModerationCategory, ["text"]> & Partial<Record<JudgeCategory, ["text"]>>;
};

/**
 * The detectors' result merged with judges' verdicts: each category's score is the highest any of them gave, a
 * category is flagged when any flags it, and the input is flagged when any category is.
 */
export function mergeVerdicts(result: ModerationResult, verdicts: readonly JudgeVerdict[]): ModerationResult {
  if (verdicts.length === 0) return result;
  const categories: Record<string, boolean> = { ...result.categories };
  const scores: Record<string, number> = { ...result.category_scores };
  const applied: Record<string, ["text"]> = { ...result.category_applied_input_types };
  for (const verdict of verdicts) {
    for (const category of judgeCategories) {
      categories[category] = (categories[category] ?? false) || verdict.categories[category];
      scores[category] = Math.max(scores[category] ?? 0, verdict.scores[category]);
      applied[category] = ["text"];
    }
  }
  return {
    flagged: Object.values(categories).some(Boolean),
    categories: categories as ModerationResult["categories"],
    category_scores: scores as ModerationResult["category_scores"],
    category_applied_input_types: applied as ModerationResult["category_applied_input_types"],
  };
}

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
