/**
 * What a guardrail does with a detection, from the loosest to the strictest: `allow` (nothing), `audit` (let it
 * through, record the decision), `mask` (a typed placeholder the answer is unmasked from, for the same caller only),
 * `redact` (an irreversible `[REDACTED_TYPE]`), `block` (the request fails with a content_filter error).
 */
export type PolicyAction = "allow" | "audit" | "mask" | "redact" | "block";

export const policyActions: readonly PolicyAction[] = ["allow", "audit", "mask", "redact", "block"];

/** What a policy does with instruction-like content in untrusted text (retrieved passages, tool results). */
export type InjectionAction = "off" | "flag" | "strip" | "block";

export const injectionActions: readonly InjectionAction[] = ["off", "flag", "strip", "block"];

/** The stricter of two actions. */
export function stricterAction(left: PolicyAction, right: PolicyAction): PolicyAction {
  return policyActions.indexOf(left) >= policyActions.indexOf(right) ? left : right;
}

export function stricterInjectionAction(left: InjectionAction, right: InjectionAction): InjectionAction {
  return injectionActions.indexOf(left) >= injectionActions.indexOf(right) ? left : right;
}
