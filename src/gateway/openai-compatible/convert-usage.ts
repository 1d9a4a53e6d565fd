import type { Usage } from "../../spec/index.js";
import type { UpstreamUsage } from "./chunk-schemas.js";

/**
 * Normalises an upstream `usage` object. Missing counts stay `undefined` (never 0), and so does the
 * whole usage when the upstream sent none; the raw object is kept for audit.
 */
export function convertUsage(usage: UpstreamUsage | null | undefined): Usage {
  if (!usage) return { inputTokens: undefined, outputTokens: undefined };
  return {
    inputTokens: usage.prompt_tokens ?? undefined,
    outputTokens: usage.completion_tokens ?? undefined,
    cachedInputTokens: usage.prompt_tokens_details?.cached_tokens ?? undefined,
    raw: usage,
  };
}
