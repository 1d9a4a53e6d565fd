import { z } from "zod";
import type { RunSource, StepRow } from "./run-source.js";
import type { RunStepDetail } from "./trace-types.js";

const messageItemSchema = z.looseObject({ type: z.literal("message"), content: z.array(z.looseObject({ text: z.string().optional() })).optional() });
const functionCallItemSchema = z.looseObject({ type: z.literal("function_call"), call_id: z.string(), name: z.string(), arguments: z.string() });
const modelOutputSchema = z.looseObject({
  items: z.array(z.unknown()).optional(),
  serverCalls: z.array(z.looseObject({ callId: z.string(), name: z.string(), arguments: z.string() })).optional(),
  finishReason: z.string().nullish(),
  error: z.object({ code: z.string(), message: z.string() }).nullish(),
  // A planner call's output: the plan item.
  item: z.looseObject({ content: z.string().optional(), revision: z.number().optional() }).nullish(),
});
const callInputSchema = z.looseObject({
  callId: z.string().optional(),
  name: z.string().optional(),
  arguments: z.string().optional(),
  serverLabel: z.string().optional(),
  approvalId: z.string().optional(),
  approvalRequestId: z.string().nullish(),
});
const toolOutputSchema = z.looseObject({ status: z.string().optional(), output: z.unknown().optional(), error: z.string().nullish(), results: z.unknown().optional() });
const handoffInputSchema = z.looseObject({ from: z.string().optional(), to: z.looseObject({ id: z.string().optional(), version: z.number().optional(), name: z.string().optional() }).optional() });

/**
 * A run's steps with what happened in each, from its step log and the ledger rows of its model calls: a model call's
 * model, tokens, cost, reply text and the tool calls it asked for; a tool call's arguments and output or error; an
 * approval's decision; a handoff's agents. What the trace (OpenTelemetry spans, exported) leaves out: the content.
 */
export function buildRunSteps(source: RunSource): RunStepDetail[] {
  return source.steps.map((step) => stepDetail(source, step));
}

function stepDetail(source: RunSource, step: StepRow): RunStepDetail {
  const detail: RunStepDetail = {
    index: step.index,
    kind: step.kind,
    status: step.status,
    startedAt: step.createdAt,
    endedAt: step.status === "completed" ? step.updatedAt : null,
    callId: step.callId,
    name: null,
    serverLabel: null,
    arguments: null,
    output: null,
    error: null,
    model: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    finishReason: null,
    text: null,
    toolCalls: [],
    approval: null,
    handoff: null,
  };
  if (step.ledgerRequestId !== null) return modelCallDetail(source, step, detail);
  switch (step.kind) {
    case "tool_call": {
      const input = callInputSchema.safeParse(step.input).data ?? {};
      const output = toolOutputSchema.safeParse(step.output).data;
      return { ...detail, name: input.name ?? null, serverLabel: input.serverLabel ?? null, arguments: input.arguments ?? null, output: outputText(output), error: output?.error ?? null };
    }
    case "approval": {
      const input = callInputSchema.safeParse(step.input).data ?? {};
      const approval = input.approvalId ? source.approvals.get(input.approvalId) : undefined;
      const decided = approval !== undefined && approval.status !== "pending";
      return {
        ...detail,
        name: input.name ?? approval?.name ?? null,
        serverLabel: input.serverLabel ?? approval?.serverLabel ?? null,
        arguments: input.arguments ?? null,
        // The step waits from the request to the decision.
        endedAt: decided ? Math.max(step.createdAt, approval.decidedAt ?? step.updatedAt) : null,
        approval: input.approvalId
          ? { id: input.approvalId, status: approval?.status ?? "pending", reason: approval?.reason ?? null, decidedBy: approval?.decidedBy ?? null, decidedAt: approval?.decidedAt ?? null }
          : null,
      };
    }
    case "handoff": {
      const input = handoffInputSchema.safeParse(step.input).data ?? {};
      return { ...detail, handoff: { from: input.from ?? null, to: { id: input.to?.id ?? null, version: input.to?.version ?? null, name: input.to?.name ?? null } } };
    }
    default:
      return detail;
  }
}

function modelCallDetail(source: RunSource, step: StepRow, detail: RunStepDetail): RunStepDetail {
  const ledger = step.ledgerRequestId === null ? undefined : source.ledger.get(step.ledgerRequestId);
  const output = modelOutputSchema.safeParse(step.output).data;
  const items = output?.items ?? [];
  const replyText = items.flatMap((item) => messageItemSchema.safeParse(item).data?.content?.map((part) => part.text ?? "") ?? []).join("");
  const functionCalls = items.flatMap((item) => {
    const call = functionCallItemSchema.safeParse(item).data;
    return call ? [{ callId: call.call_id, name: call.name, arguments: call.arguments }] : [];
  });
  const serverCalls = (output?.serverCalls ?? []).map((call) => ({ callId: call.callId, name: call.name, arguments: call.arguments }));
  const text = step.kind === "plan" ? (output?.item?.content ?? null) : step.status === "completed" ? replyText : null;
  return {
    ...detail,
    model: ledger?.model ?? source.model,
    inputTokens: ledger?.inputTokens ?? null,
    outputTokens: ledger?.outputTokens ?? null,
    costUsd: ledger ? ledger.costNanos / 1e9 : null,
    finishReason: output?.finishReason ?? null,
    error: output?.error?.message ?? null,
    text,
    toolCalls: [...serverCalls, ...functionCalls],
  };
}

/** A tool call's output as text: the `mcp_call`'s output, or a `file_search_call`'s results as JSON. */
function outputText(output: z.infer<typeof toolOutputSchema> | undefined): string | null {
  if (!output) return null;
  if (typeof output.output === "string") return output.output;
  if (output.results !== undefined && output.results !== null) return JSON.stringify(output.results);
  return null;
}
