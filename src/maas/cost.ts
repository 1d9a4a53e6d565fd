import type { Usage } from "../spec/index.js";
import type { PriceRecord } from "../store/index.js";
import { ceilDivide } from "./money.js";

/** The prices a cost is computed with (micro-dollars per 1M tokens). */
export type TokenPrice = Pick<PriceRecord, "inputMicrosPerMillion" | "outputMicrosPerMillion">;

/**
 * Cost in integer nano-dollars: ceil(tokens × price_micros / 1000) per side. An unknown price costs 0 (local
 * models are free unless priced); an unknown token count (undefined) is not billed.
 */
export function computeCostNanos(price: TokenPrice | undefined, usage: Pick<Usage, "inputTokens" | "outputTokens">): number {
  if (!price) return 0;
  return sideCost(usage.inputTokens, price.inputMicrosPerMillion) + sideCost(usage.outputTokens, price.outputMicrosPerMillion);
}

function sideCost(tokens: number | undefined, microsPerMillion: number): number {
  if (tokens === undefined || tokens <= 0) return 0;
  return ceilDivide(Math.ceil(tokens) * microsPerMillion, 1000);
}
