import type { GuardedRoute } from "../../spec/index.js";
import { entityGroups } from "./entity-labels.js";
import type { PolicyAction } from "./policy-action.js";
import type { EntityRules, PolicyDocument, RouteRules } from "./policy-schema.js";

/** The detector key of a custom pattern or dictionary (its detections' entity type). */
export function customDetectorKey(name: string): `CUSTOM_${string}` {
  return `CUSTOM_${name}`;
}

/** The rules of a policy for `route`: the provider's own, else `local` or `upstream`; undefined when none is set. */
export function routeRulesOf(policy: PolicyDocument, route: GuardedRoute): RouteRules | undefined {
  if (!route.local && route.name !== "local" && route.name !== "upstream" && policy.routes[route.name] !== undefined) return policy.routes[route.name];
  return policy.routes[route.local ? "local" : "upstream"];
}

function lookUp(rules: Readonly<Record<string, PolicyAction | undefined>>, detector: string): PolicyAction | undefined {
  if (detector.startsWith("CUSTOM_")) return rules[detector.slice("CUSTOM_".length)];
  const direct = rules[detector];
  if (direct !== undefined) return direct;
  for (const [group, members] of Object.entries(entityGroups)) {
    if (rules[group] !== undefined && (members as readonly string[]).includes(detector)) return rules[group];
  }
  return undefined;
}

function baseAction(policy: PolicyDocument, detector: string): PolicyAction {
  if (detector.startsWith("CUSTOM_")) {
    const name = detector.slice("CUSTOM_".length);
    return (policy.custom.find((entry) => entry.name === name) ?? policy.dictionaries.find((entry) => entry.name === name))?.action ?? "allow";
  }
  return entityAction(policy.pii, detector);
}

function entityAction(rules: EntityRules, detector: string): PolicyAction {
  if (typeof rules === "string") return rules;
  return lookUp(rules, detector) ?? rules.default ?? "allow";
}

/**
 * What one policy does with a detection of `detector` (an entity type, or `CUSTOM_<name>`) on `route`: the route's
 * rules when the policy sets any (one action for everything there, or a map falling back to its `default`, then to
 * the policy's own rules), else the policy's `pii` rules, custom patterns and dictionaries.
 */
export function resolveAction(policy: PolicyDocument, route: GuardedRoute, detector: string): PolicyAction {
  const rules = routeRulesOf(policy, route);
  if (rules === undefined) return baseAction(policy, detector);
  if (typeof rules === "string") return rules;
  return lookUp(rules, detector) ?? rules.default ?? baseAction(policy, detector);
}
