import { newResponseId, type McpApprovalRequestItem, type McpCallItem, type OutputItem, type ServerCall } from "../../../responses/index.js";
import type { ServerTool } from "../../../server-tools/index.js";
import type { RunExecution } from "./run-execution.js";
import { defaultMaxToolCalls, type ApprovalStepInput, type ToolStepInput } from "./run-types.js";

/** A server call the run must settle, and whether a previous response asked for its approval. */
export type PendingCall = ServerCall & { inherited: boolean };

/** Why settling the calls stopped: all settled, some wait for a decision, or the tool-call limit was reached. */
export type CallsOutcome = "settled" | "awaiting_approval" | "max_tool_calls";

const interruptedError = "interrupted: the server stopped while this call ran, and the tool is not idempotent, so it was not run again";

/**
 * Settles the server calls of the last model reply (or the approvals a previous response asked for), in order, each
 * as a logged step: a call needing approval gets an `mcp_approval_request` item (once), then waits; an approved call
 * runs; a denied or expired one gets an error result without running; a call cut by a crash runs again only when its
 * tool is idempotent (otherwise its result is an "interrupted" error). Every settled call is an `mcp_call` item.
 */
export async function resolveServerCalls(execution: RunExecution, calls: PendingCall[], afterStep: number): Promise<CallsOutcome> {
  const { dependencies, run } = execution;
  let waiting = false;
  for (const call of calls) {
    const ofCall = execution.steps.filter((step) => step.index > afterStep && step.callId === call.callId);
    const toolStep = ofCall.find((step) => step.kind === "tool_call");
    if (toolStep?.status === "completed") continue;
    const approvalStep = ofCall.find((step) => step.kind === "approval");
    const tool = execution.agent?.tool(call.name) ?? execution.requestTools.get(call.name) ?? dependencies.tools.get(call.name);
    const entry = run.parameters.tools.find((candidate) => candidate.type === "server_tool" && candidate.name === call.name);
    const needsApproval = call.inherited || tool?.requiresApproval === true || (entry?.type === "server_tool" && entry.require_approval === "always");
    if (!toolStep && !approvalStep && toolCallsMade(execution) >= (run.parameters.max_tool_calls ?? defaultMaxToolCalls)) return "max_tool_calls";
    let approvalRequestId: string | null = null;
    if (needsApproval) {
      if (!approvalStep) {
        await requestApproval(execution, call, tool);
        waiting = true;
        continue;
      }
      const input = approvalStep.input as ApprovalStepInput;
      approvalRequestId = input.approvalId;
      let approval = await dependencies.store.approval(input.approvalId);
      if (approval?.status === "pending" && approval.expiresAt <= dependencies.now()) {
        await dependencies.store.decide(approval.id, { approve: false, reason: "expired", decidedBy: null, continuedBy: approval.responseId });
        approval = await dependencies.store.approval(input.approvalId);
      }
      if (!approval || approval.status === "pending") {
        waiting = true;
        continue;
      }
      if (approval.status === "denied") {
        await execution.markRunning();
        await settleCall(execution, call, tool, approvalRequestId, toolStep?.index, () => Promise.reject(new Error(`the call was not approved${approval.reason ? `: ${approval.reason}` : ""}`)));
        continue;
      }
    }
    await execution.markRunning();
    if (toolStep && !tool?.idempotent) {
      await settleCall(execution, call, tool, approvalRequestId, toolStep.index, () => Promise.reject(new Error(interruptedError)));
      continue;
    }
    await settleCall(execution, call, tool, approvalRequestId, toolStep?.index, () => executeTool(execution, call, tool));
  }
  return waiting ? "awaiting_approval" : "settled";
}

/** Tool calls this run made or asked approval for (a call approved and then run counts once). */
function toolCallsMade(execution: RunExecution): number {
  const counted = new Set<string>();
  let modelStep = -1;
  for (const step of execution.steps) {
    if (step.kind === "model_call") modelStep = step.index;
    else if (step.kind === "tool_call" || (step.kind === "approval" && !(step.input as ApprovalStepInput).inherited)) counted.add(`${modelStep}:${step.callId}`);
  }
  return counted.size;
}

async function requestApproval(execution: RunExecution, call: PendingCall, tool: ServerTool | undefined): Promise<void> {
  const { dependencies } = execution;
  const serverLabel = tool?.serverLabel ?? "aiplus";
  const item: McpApprovalRequestItem = { id: newResponseId("mcpr"), type: "mcp_approval_request", server_label: serverLabel, name: call.name, arguments: call.arguments };
  const outputIndex = execution.response.output.length;
  const firstEvent = execution.writer.next;
  await execution.emit({ type: "response.output_item.added", output_index: outputIndex, item });
  await execution.emit({ type: "response.output_item.done", output_index: outputIndex, item });
  const input: ApprovalStepInput = { ...call, approvalId: item.id, serverLabel, inherited: false };
  await execution.commit({
    insertStep: { index: execution.nextStepIndex, kind: "approval", callId: call.callId, status: "completed", input, ledgerRequestId: null, firstEvent },
    insertApproval: {
      id: item.id,
      responseId: execution.id,
      keyId: execution.run.keyId,
      callId: call.callId,
      serverLabel,
      name: call.name,
      arguments: call.arguments,
      expiresAt: dependencies.now() + dependencies.approvalTtlMs,
      createdAt: dependencies.now(),
    },
    appendItems: [item],
    response: execution.withOutput([item]),
  });
}

/** Logs the call as started (unless a crash left it started), gets its result, and logs it as an `mcp_call` item. */
async function settleCall(
  execution: RunExecution,
  call: PendingCall,
  tool: ServerTool | undefined,
  approvalRequestId: string | null,
  startedStep: number | undefined,
  result: () => Promise<string>,
): Promise<void> {
  const serverLabel = tool?.serverLabel ?? "aiplus";
  const index = startedStep ?? execution.nextStepIndex;
  const firstEvent = execution.writer.next;
  if (startedStep === undefined) {
    const input: ToolStepInput = { ...call, serverLabel, approvalRequestId };
    await execution.commit({ insertStep: { index, kind: "tool_call", callId: call.callId, status: "running", input, ledgerRequestId: null, firstEvent } });
  }
  const ownItem = tool?.toOutputItem;
  const id = newResponseId(ownItem ? "fs" : "mcp");
  const outputIndex = execution.response.output.length;
  const started = { id, type: "mcp_call", server_label: serverLabel, name: call.name, arguments: call.arguments, output: null, error: null, approval_request_id: approvalRequestId, status: "in_progress" };
  const startedItem = ownItem ? ownItem({ id, arguments: call.arguments, output: null, error: null, status: "in_progress" }) : (started as unknown as OutputItem);
  await execution.emit({ type: "response.output_item.added", output_index: outputIndex, item: startedItem });
  await execution.emit({ type: ownItem ? "response.file_search_call.in_progress" : "response.mcp_call.in_progress", item_id: id, output_index: outputIndex });
  if (ownItem) await execution.emit({ type: "response.file_search_call.searching", item_id: id, output_index: outputIndex });
  let mcpItem: McpCallItem;
  try {
    const output = await result();
    mcpItem = { ...started, output, status: "completed", type: "mcp_call" };
  } catch (error) {
    execution.signal.throwIfAborted();
    mcpItem = { ...started, error: error instanceof Error ? error.message : String(error), status: "failed", type: "mcp_call" };
  }
  const item: OutputItem = ownItem ? ownItem({ id, arguments: call.arguments, output: mcpItem.output, error: mcpItem.error, status: mcpItem.status }) : mcpItem;
  const doneEvent = ownItem ? "response.file_search_call.completed" : mcpItem.status === "completed" ? "response.mcp_call.completed" : "response.mcp_call.failed";
  await execution.emit({ type: doneEvent, item_id: id, output_index: outputIndex });
  await execution.emit({ type: "response.output_item.done", output_index: outputIndex, item });
  await execution.commit({ completeStep: { index, output: item }, appendItems: [item], response: execution.withOutput([item]) });
}

async function executeTool(execution: RunExecution, call: PendingCall, tool: ServerTool | undefined): Promise<string> {
  if (!tool) throw new Error(`the server tool ${call.name} is not available`);
  let args: unknown;
  try {
    args = JSON.parse(call.arguments || "{}");
  } catch {
    throw new Error("the arguments are not valid JSON");
  }
  return tool.execute(args, {
    signal: execution.signal,
    idempotencyKey: `${execution.id}:${call.callId}`,
    caller: { keyId: execution.run.keyId, isAdmin: execution.principal.isAdmin, allowCodeExecution: execution.principal.allowCodeExecution },
  });
}
