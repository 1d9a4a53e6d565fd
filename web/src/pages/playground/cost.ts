import type { ChatUsage, ModelPricing } from "./types";

/** ceil(numerator / denominator) for non-negative safe integers. */
function ceilDivide(numerator: number, denominator: number): number {
  const remainder = numerator % denominator;
  return (numerator - remainder) / denominator + (remainder > 0 ? 1 : 0);
}

function sideNanos(tokens: number, dollarsPerMillion: number): number {
  if (tokens <= 0) return 0;
  return ceilDivide(tokens * Math.round(dollarsPerMillion * 1e6), 1000);
}

/**
 * What the ledger charges for `usage` at the model's price, in dollars: the server's own rule (integer nano-dollars,
 * each side rounded up from micro-dollars per 1M tokens), so the number shown equals the usage record's `cost`.
 * Null when the model is unpriced (it costs nothing).
 */
export function usageCost(usage: ChatUsage, pricing: ModelPricing | null): number | null {
  if (!pricing) return null;
  return (sideNanos(usage.prompt_tokens, pricing.input_per_million) + sideNanos(usage.completion_tokens, pricing.output_per_million)) / 1e9;
}
