import { isEnded, runStateOf, type RunSource } from "./run-source.js";
import type { RunSummary } from "./trace-types.js";

/**
 * A run's summary: state, step counts, the ledger's tokens of its own model calls, and the cost of those plus the calls
 * that agents it used as tools made (what its `max_cost` limits).
 */
export function summarizeRun(source: RunSource): RunSummary {
  const state = runStateOf(source);
  const ledger = [...source.ledger.values()];
  const nested = [...source.nestedLedger.values()];
  const ownCostNanos = ledger.reduce((total, row) => total + row.costNanos, 0);
  const nestedCostNanos = nested.reduce((total, row) => total + row.costNanos, 0);
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
    costUsd: (ownCostNanos + nestedCostNanos) / 1e9,
    nestedModelCalls: nested.length,
    nestedCostUsd: nestedCostNanos / 1e9,
    createdAt: source.createdAt,
    updatedAt: source.updatedAt,
    endedAt: isEnded(state) ? source.updatedAt : null,
  };
}
