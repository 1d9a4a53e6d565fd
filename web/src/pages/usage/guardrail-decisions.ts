/** One guardrail decision of a request as `/v1/usage/records` lists it (never the value). */
export type GuardrailDecision = {
  audit_id: number;
  created_at: number;
  route: string | null;
  policy: string | null;
  rule: string;
  action: string;
  entity_type: string | null;
  occurrences: number;
  positions: Array<{ location: string; start: number; end: number }>;
};

const actionWords: Record<string, string> = { mask: "masked", redact: "redacted", block: "blocked", audit: "audited", flag: "flagged", strip: "stripped" };

/** `3 masked, 1 blocked`: the occurrences per action, in the order first seen. */
export function summarizeDecisions(decisions: readonly GuardrailDecision[]): string {
  const counts = new Map<string, number>();
  for (const decision of decisions) counts.set(decision.action, (counts.get(decision.action) ?? 0) + decision.occurrences);
  return [...counts].map(([action, count]) => `${count} ${actionWords[action] ?? action}`).join(", ");
}

/** Where a decision's occurrences are: distinct locations (`messages[0].content`, `output`), at most `limit` named. */
export function decisionLocations(decision: GuardrailDecision, limit = 3): string {
  const locations = [...new Set(decision.positions.map((position) => position.location))];
  if (locations.length === 0) return "—";
  return locations.length > limit ? `${locations.slice(0, limit).join(", ")} and ${locations.length - limit} more` : locations.join(", ");
}
