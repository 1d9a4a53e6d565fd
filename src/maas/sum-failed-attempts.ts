import type { Usage } from "../spec/index.js";

/** A request's failed attempts as its ledger row records them. */
export type FailedAttemptsTotal = {
  failedAttempts: number;
  /** Summed over the attempts that know their count; undefined when none does. */
  failedInputTokens: number | undefined;
  failedOutputTokens: number | undefined;
};

/** Counts a request's failed attempts and sums their tokens (unknown counts are left out, never taken as 0). */
export function sumFailedAttempts(attempts: readonly Pick<Usage, "inputTokens" | "outputTokens">[]): FailedAttemptsTotal {
  const sum = (tokens: (usage: Pick<Usage, "inputTokens" | "outputTokens">) => number | undefined) =>
    attempts.reduce<number | undefined>((total, usage) => {
      const count = tokens(usage);
      return count === undefined ? total : (total ?? 0) + count;
    }, undefined);
  return {
    failedAttempts: attempts.length,
    failedInputTokens: sum((usage) => usage.inputTokens),
    failedOutputTokens: sum((usage) => usage.outputTokens),
  };
}
