import { isEnded, runStateOf, type RunSource } from "./run-source.js";
import type { RunSummary } from "./trace-types.js";

/** A run's summary: state, step counts, and the ledger's tokens and cost of its model calls. */
export function summarizeRun(source: RunSource): RunSummary {
  const state = runStateOf(source);
  const ledger = [...source.ledger.values()];
  const agent = source.response.agent;
  return {
    id: source.id,
    keyId: source.keyId,
    keyName: source.keyName,
    model: source.model,
    agent: agent ? { id: agent.id, name: source.agentName, version: agent.version } : null,
    state,
    incompleteReason: state === "incomplete" ? (source.response.incomplete_details?.reason ?? null) : null,
    error: source.response.error ?? null,
    background: source.background,
    steps: source.steps.length,
    modelCalls: source.steps.filter((step) => step.ledgerRequestId !== null).length,
    toolCalls: source.steps.filter((step) => step.kind === "tool_call").length,
    pendingApprovals: [...source.approvals.values()].filter((approval) => approval.status === "pending").length,
    inputTokens: ledger.reduce((total, row) => total + (row.inputTokens ?? 0), 0),
    outputTokens: ledger.reduce((total, row) => total + (row.outputTokens ?? 0), 0),
    costUsd: ledger.reduce((total, row) => total + row.costNanos, 0) / 1e9,
    createdAt: source.createdAt,
    updatedAt: source.updatedAt,
    endedAt: isEnded(state) ? source.updatedAt : null,
  };
}
