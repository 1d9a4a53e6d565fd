import { createHmac } from "node:crypto";
import { GuardrailFailureError } from "../../spec/index.js";
import type { AuditLogRepository, NewAuditEntry } from "../../store/index.js";

/** One guardrail decision about one occurrence of a value. */
export type GuardDecision = {
  rule: string;
  action: string;
  entityType: string | undefined;
  /** Where: `messages[2].content`, `prompt`, `input[0]`, `output`, `tool_calls[0].arguments`. */
  location: string;
  start: number;
  end: number;
  /** The detected text: HMAC'd, never stored. */
  value: string;
  /** What else the entry records (a judge's model and flagged categories, a classifier's score); never the value. */
  details?: Record<string, unknown> | undefined;
};

/** Who and what the decisions of a request are about. */
export type GuardAuditContext = {
  keyId: string | undefined;
  endpoint: string;
  model: string | undefined;
  policy: string;
  /** The ledger's request id of the call the decisions belong to (undefined for work outside the ledger). */
  requestId?: string | undefined;
};

/** Positions kept per audit entry (the rest are counted in `details.occurrences`). */
const maxPositions = 100;

/**
 * Writes a request's guardrail decisions to the audit log: one entry per rule, action and distinct value on a route,
 * with every position it occurred at and the HMAC of the value under the server's secret (the value itself is never
 * written). A failed write throws GuardrailFailureError: the request (or the stream) fails with it.
 */
export class GuardAudit {
  constructor(
    private readonly repository: Pick<AuditLogRepository, "append">,
    private readonly secret: string,
    private readonly context: GuardAuditContext,
    private readonly now: () => number,
  ) {}

  /** The same trail for the decisions of one ledger request (one metered model call). */
  forRequest(requestId: string): GuardAudit {
    return new GuardAudit(this.repository, this.secret, { ...this.context, requestId }, this.now);
  }

  /** Never the secret in a log line or a serialised value. */
  toJSON(): GuardAuditContext {
    return this.context;
  }

  /** The HMAC (hex) of a value under the audit secret. */
  hmac(value: string): string {
    return createHmac("sha256", this.secret).update(value, "utf8").digest("hex");
  }

  async record(route: string | undefined, decisions: readonly GuardDecision[]): Promise<void> {
    if (decisions.length === 0) return;
    const grouped = new Map<string, { decision: GuardDecision; hmac: string; positions: Array<{ location: string; start: number; end: number }>; occurrences: number }>();
    for (const decision of decisions) {
      const hmac = this.hmac(decision.value);
      // Decisions that say different things (two judges' verdicts on one text) stay separate entries.
      const key = `${decision.rule}\u0000${decision.action}\u0000${decision.entityType ?? ""}\u0000${hmac}\u0000${decision.details === undefined ? "" : JSON.stringify(decision.details)}`;
      let group = grouped.get(key);
      if (!group) grouped.set(key, (group = { decision, hmac, positions: [], occurrences: 0 }));
      group.occurrences += 1;
      if (group.positions.length < maxPositions) group.positions.push({ location: decision.location, start: decision.start, end: decision.end });
    }
    const createdAt = this.now();
    const entries: NewAuditEntry[] = [...grouped.values()].map((group) => ({
      createdAt,
      kind: "guardrail",
      keyId: this.context.keyId,
      endpoint: this.context.endpoint,
      model: this.context.model,
      route,
      policy: this.context.policy,
      rule: group.decision.rule,
      action: group.decision.action,
      entityType: group.decision.entityType,
      positions: group.positions,
      valueHmac: group.hmac,
      details: entryDetails(group.decision.details, group.occurrences > group.positions.length ? group.occurrences : undefined),
      requestId: this.context.requestId,
    }));
    try {
      await this.repository.append(entries);
    } catch (error) {
      throw new GuardrailFailureError({ message: "the guardrail decisions could not be written to the audit log; the request was stopped", cause: error, code: "audit_write_failed" });
    }
  }
}

function entryDetails(details: Record<string, unknown> | undefined, occurrences: number | undefined): Record<string, unknown> | undefined {
  if (occurrences === undefined) return details;
  return { ...details, occurrences };
}
