import type { FailedAttempt, Usage } from "../spec/index.js";

/**
 * What the ledger records of a call's failed attempts (provider cost only). An attempt that generated content while
 * its upstream reported no prompt count is counted with the call's prompt tokens (the upstream read the whole
 * prompt), as a call's own broken stream is; otherwise unknown counts stay unknown.
 */
export function failedAttemptUsage(attempts: readonly FailedAttempt[], promptTokens: number | undefined): Usage[] {
  return attempts.map(({ usage }) => ({
    inputTokens: usage.inputTokens ?? ((usage.outputTokens ?? 0) > 0 ? promptTokens : undefined),
    outputTokens: usage.outputTokens,
  }));
}
