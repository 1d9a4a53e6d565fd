import { createHash } from "node:crypto";

/** The trace id of a run (32 hex digits): derived from the run id, so every read and export of it agrees. */
export function traceIdOf(runId: string): string {
  return createHash("sha256").update(`trace:${runId}`).digest("hex").slice(0, 32);
}

/** A span id (16 hex digits) of a run: its root span (`stepIndex` null) or the span of one step. */
export function spanIdOf(runId: string, stepIndex: number | null): string {
  return createHash("sha256").update(`span:${runId}:${stepIndex ?? "run"}`).digest("hex").slice(0, 16);
}

/** The span id of a guardrail decision (an audit log entry, by its sequence number) within a run. */
export function guardrailSpanIdOf(runId: string, auditSeq: number): string {
  return createHash("sha256").update(`span:${runId}:guardrail:${auditSeq}`).digest("hex").slice(0, 16);
}
