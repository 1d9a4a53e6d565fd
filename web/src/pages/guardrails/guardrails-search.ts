/** Shareable URL state of the guardrails page (kept tiny: routes.tsx imports it into the entry). */

export type GuardrailsTab = "policies" | "audit";
export type AuditKind = "guardrail" | "admin";

export type GuardrailsSearch = {
  tab?: GuardrailsTab | undefined;
  kind?: AuditKind | undefined;
  key?: string | undefined;
  /** `datetime-local` text in the browser's time zone, as typed. */
  since?: string | undefined;
  until?: string | undefined;
};

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

export function validateGuardrailsSearch(search: Record<string, unknown>): GuardrailsSearch {
  return {
    tab: search.tab === "audit" || search.tab === "policies" ? search.tab : undefined,
    kind: search.kind === "guardrail" || search.kind === "admin" ? search.kind : undefined,
    key: text(search.key),
    since: text(search.since),
    until: text(search.until),
  };
}
