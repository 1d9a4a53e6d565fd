import type { LanguageModelCallOptions } from "./call-options.js";
import type { LanguageModelStreamPart } from "./stream-part.js";

/** The route a guarded call is about to take: the local engine, or an upstream provider (by name). */
export type GuardedRoute = { name: string; local: boolean };

/** A language-model call as the guardrails let it through on one route. */
export type GuardedLanguageModelCall = {
  /** The options to send on the route (masked, redacted, spotlighted as the policy says). */
  options: LanguageModelCallOptions;
  /** Applies the output rules to the route's stream: unmasking for the caller, output detectors, the canary check. */
  guardOutput(stream: ReadableStream<LanguageModelStreamPart>): ReadableStream<LanguageModelStreamPart>;
};

/**
 * The guardrails of one request: the caller's policy, its placeholder vault (never shared with another request or
 * key) and its audit trail. Carried in the call options, so the gateway applies it on each route it tries: a failover
 * from a local route (raw data allowed) to an upstream re-applies the upstream's rules. Both methods throw
 * ContentFilterError when the policy blocks, GuardrailFailureError when a detector or the audit log fails; nothing has
 * reached the route then.
 */
export interface RequestGuard {
  guardLanguageModelCall(route: GuardedRoute, options: LanguageModelCallOptions): Promise<GuardedLanguageModelCall>;
  /** The values to embed on the route (masked or redacted; embeddings are never unmasked). */
  guardEmbeddingCall(route: GuardedRoute, values: string[]): Promise<string[]>;
  /**
   * The same guard (policy, vault, scans) whose decisions are recorded against one ledger request: the usage record
   * of the metered call it guards, so that the request's guardrail decisions can be read with it.
   */
  forRequest?(requestId: string): RequestGuard;
}
