import type { KeyPrincipal } from "../../maas/index.js";
import type { ApprovalRecord } from "../../responses/index.js";
import { parseWorkflowApprovalId, type WorkflowAccessor, type WorkflowApproval, type WorkflowService } from "../../workflows/index.js";
import type { ResponseRunService } from "./runs/response-run-service.js";

/** A decision on an inbox item: `input` answers a workflow's human_input step. */
export type InboxDecision = { approve: boolean; reason: string | null; input: unknown };

/** What was decided: the item as the inbox shows it, and the run it continues. */
export type InboxDecided = { view: ApprovalView; run: { kind: "response"; id: string } | { kind: "workflow_run"; id: string } };

/**
 * The approvals inbox shared by `GET/POST /v1/approvals` and `aiplus approvals`: tool calls of response runs waiting
 * for a decision, and workflow runs' waiting steps (`kind` `tool_call` or `human_input`, ids `wfappr_…`), oldest first.
 */
export function approvalsInbox(runs: ResponseRunService, workflows: WorkflowService | undefined) {
  const accessorOf = (principal: KeyPrincipal): WorkflowAccessor => ({ keyId: principal.id, isAdmin: principal.isAdmin, allowCodeExecution: principal.allowCodeExecution });
  return {
    async list(principal: KeyPrincipal, limit: number): Promise<ApprovalView[]> {
      const approvals = (await runs.pendingApprovals(principal, limit)).map(toApprovalView);
      const questions = workflows ? (await workflows.pendingApprovals(accessorOf(principal), limit)).map(toWorkflowApprovalView) : [];
      return [...approvals, ...questions].sort((a, b) => a.created_at - b.created_at).slice(0, limit);
    },

    async decide(principal: KeyPrincipal, id: string, decision: InboxDecision): Promise<InboxDecided> {
      if (workflows && parseWorkflowApprovalId(id)) {
        const item = await workflows.decide(accessorOf(principal), id, decision);
        return { view: toWorkflowApprovalView(item), run: { kind: "workflow_run", id: item.runId } };
      }
      const approval = await runs.decide(id, principal, { approve: decision.approve, reason: decision.reason });
      return { view: toApprovalView(approval), run: { kind: "response", id: approval.responseId } };
    },
  };
}

export type ApprovalView = ReturnType<typeof toApprovalView> | ReturnType<typeof toWorkflowApprovalView>;

export function toWorkflowApprovalView(approval: WorkflowApproval) {
  const { output } = approval;
  return {
    id: approval.id,
    object: "approval_request" as const,
    kind: approval.kind,
    response_id: null,
    workflow_run_id: approval.runId,
    workflow_id: approval.workflowId,
    workflow_version: approval.workflowVersion,
    step_id: approval.stepKey,
    server_label: null,
    name: output.kind === "tool_call" ? output.tool : null,
    arguments: output.kind === "tool_call" ? JSON.stringify(output.arguments ?? {}) : null,
    prompt: output.kind === "human_input" ? output.prompt : null,
    schema: output.kind === "human_input" ? (output.schema ?? null) : null,
    status: "pending",
    reason: null,
    created_at: Math.floor(approval.createdAt / 1000),
    expires_at: approval.expiresAt === null ? null : Math.floor(approval.expiresAt / 1000),
  };
}

export function toApprovalView(approval: ApprovalRecord) {
  return {
    id: approval.id,
    object: "approval_request" as const,
    kind: "tool_call" as const,
    response_id: approval.responseId,
    server_label: approval.serverLabel,
    name: approval.name,
    arguments: approval.arguments,
    status: approval.status,
    reason: approval.reason,
    created_at: Math.floor(approval.createdAt / 1000),
    expires_at: Math.floor(approval.expiresAt / 1000),
  };
}
