import { z } from "zod";
import { isEnded, runStateOf, type GuardrailDecisionRow, type LedgerRow, type RunSource, type StepRow } from "./run-source.js";
import { guardrailSpanIdOf, spanIdOf, traceIdOf } from "./span-ids.js";
import type { AttributeValue, RunTrace, SpanKind, SpanStatus, TraceSpan } from "./trace-types.js";

const modelOutputSchema = z.looseObject({ finishReason: z.string().nullish(), error: z.object({ code: z.string(), message: z.string() }).nullish() });
const callInputSchema = z.looseObject({ callId: z.string().optional(), name: z.string().optional(), serverLabel: z.string().optional(), approvalId: z.string().optional(), approvalRequestId: z.string().nullish(), inherited: z.boolean().optional() });
const handoffInputSchema = z.looseObject({ from: z.string().optional(), to: z.looseObject({ id: z.string().optional(), version: z.number().optional(), name: z.string().optional() }).optional() });
const toolOutputSchema = z.looseObject({ status: z.string().optional(), error: z.string().nullish() });

type SpanDraft = Omit<TraceSpan, "traceId" | "spanId" | "parentSpanId" | "durationMs" | "stepIndex">;

/**
 * A run's trace, computed from its step log (start: the step's first write, end: its completion) and the ledger rows
 * of its model calls (tokens, cost). The root span covers the run; every step is a child of it. Spans still open when
 * the run ended are closed at the run's end with status `unset`. A guarded model call's guardrail decisions (the audit
 * log's entries for its ledger request) are `guardrail` spans under its `chat` span.
 */
export function buildRunTrace(source: RunSource): RunTrace {
  const state = runStateOf(source);
  const ended = isEnded(state);
  const runEnd = ended ? source.updatedAt : null;
  const traceId = traceIdOf(source.id);
  const rootId = spanIdOf(source.id, null);
  const children = source.steps.map((step): TraceSpan => {
    const draft = stepSpan(source, step);
    let { endTime, status, statusMessage } = draft;
    if (endTime === null && runEnd !== null) {
      endTime = Math.max(draft.startTime, runEnd);
      status = "unset";
      statusMessage ??= `not finished when the run ended (${state})`;
    }
    return { ...draft, traceId, spanId: spanIdOf(source.id, step.index), parentSpanId: rootId, stepIndex: step.index, endTime, status, statusMessage, durationMs: endTime === null ? null : endTime - draft.startTime };
  });
  // Each guarded model call's decisions follow its span, as its children.
  const spans = source.steps.flatMap((step, position): TraceSpan[] => {
    const span = children[position]!;
    const decisions = step.ledgerRequestId === null ? undefined : source.guardrailDecisions.get(step.ledgerRequestId);
    if (!decisions) return [span];
    return [span, ...decisions.map((decision) => guardrailSpan(source.id, span, step.ledgerRequestId!, decision))];
  });
  const inputTokens = sumOf([...source.ledger.values()], (row) => row.inputTokens);
  const outputTokens = sumOf([...source.ledger.values()], (row) => row.outputTokens);
  const nestedCostNanos = sumOf([...source.nestedLedger.values()], (row) => row.costNanos);
  const costNanos = sumOf([...source.ledger.values()], (row) => row.costNanos) + nestedCostNanos;
  const agent = source.response.agent;
  const attributes: Record<string, AttributeValue> = {
    "gen_ai.request.model": source.model,
    "gen_ai.response.id": source.id,
    "gen_ai.usage.input_tokens": inputTokens,
    "gen_ai.usage.output_tokens": outputTokens,
    "aiplus.cost_usd": costNanos / 1e9,
    "aiplus.nested_cost_usd": nestedCostNanos / 1e9,
    "aiplus.run.state": state,
    "aiplus.run.background": source.background,
  };
  if (agent) {
    attributes["gen_ai.operation.name"] = "invoke_agent";
    attributes["gen_ai.agent.id"] = agent.id;
    attributes["aiplus.agent.version"] = agent.version;
    if (source.agentName !== null) attributes["gen_ai.agent.name"] = source.agentName;
  }
  const incomplete = source.response.incomplete_details?.reason;
  if (incomplete) attributes["aiplus.run.incomplete_reason"] = incomplete;
  const error = source.response.error;
  if (error) attributes["error.type"] = error.code;
  const rootStatus: SpanStatus = state === "completed" || state === "incomplete" ? "ok" : state === "failed" ? "error" : "unset";
  const root: TraceSpan = {
    traceId,
    spanId: rootId,
    parentSpanId: null,
    name: agent ? `invoke_agent ${source.agentName ?? agent.id}` : `response ${source.id}`,
    kind: "run",
    stepIndex: null,
    startTime: source.createdAt,
    endTime: runEnd,
    durationMs: runEnd === null ? null : runEnd - source.createdAt,
    status: rootStatus,
    statusMessage: error?.message ?? (state === "cancelled" ? "cancelled" : null),
    attributes,
  };
  return { runId: source.id, traceId, spans: [root, ...spans] };
}

/**
 * A guardrail decision about a model call, as an instant span under the call's span: the rule, the action taken, the
 * entity type, where (locations, never the value) and how often. A block ends the call: the span's status is `error`.
 */
function guardrailSpan(runId: string, parent: TraceSpan, ledgerRequestId: string, decision: GuardrailDecisionRow): TraceSpan {
  const attributes: Record<string, AttributeValue> = {
    "gen_ai.operation.name": "guardrail",
    "aiplus.guardrail.rule": decision.rule,
    "aiplus.guardrail.action": decision.action,
    "aiplus.guardrail.occurrences": decision.occurrences,
    "aiplus.ledger.request_id": ledgerRequestId,
    "aiplus.audit.id": decision.seq,
  };
  if (decision.entityType !== null) attributes["aiplus.guardrail.entity_type"] = decision.entityType;
  if (decision.route !== null) attributes["aiplus.route"] = decision.route;
  if (decision.policy !== null) attributes["aiplus.guardrail.policy"] = decision.policy;
  if (decision.locations.length > 0) attributes["aiplus.guardrail.locations"] = decision.locations;
  const blocked = decision.action === "block";
  if (blocked) attributes["error.type"] = "content_filter";
  return {
    traceId: parent.traceId,
    spanId: guardrailSpanIdOf(runId, decision.seq),
    parentSpanId: parent.spanId,
    name: `guardrail ${decision.rule}`,
    kind: "guardrail",
    stepIndex: parent.stepIndex,
    startTime: decision.createdAt,
    endTime: decision.createdAt,
    durationMs: 0,
    status: blocked ? "error" : "ok",
    statusMessage: blocked ? `blocked by rule ${decision.rule}` : null,
    attributes,
  };
}

function stepSpan(source: RunSource, step: StepRow): SpanDraft {
  const completedAt = step.status === "completed" ? step.updatedAt : null;
  const base = { startTime: step.createdAt, endTime: completedAt, status: (completedAt === null ? "unset" : "ok") as SpanStatus, statusMessage: null as string | null };
  const attributes: Record<string, AttributeValue> = { "aiplus.step.index": step.index, "aiplus.step.kind": step.kind };
  if (step.ledgerRequestId !== null) return chatSpan(source, step, base, attributes);
  const kind = spanKindOf(step.kind);
  switch (kind) {
    case "chat":
      return chatSpan(source, step, base, attributes);
    case "execute_tool": {
      const input = callInputSchema.safeParse(step.input).data ?? {};
      const output = toolOutputSchema.safeParse(step.output).data;
      const name = input.name ?? "unknown";
      attributes["gen_ai.operation.name"] = "execute_tool";
      attributes["gen_ai.tool.name"] = name;
      if (step.callId !== null) attributes["gen_ai.tool.call.id"] = step.callId;
      if (input.serverLabel) attributes["aiplus.server_label"] = input.serverLabel;
      if (input.approvalRequestId) attributes["aiplus.approval.id"] = input.approvalRequestId;
      const failed = output?.status === "failed";
      if (failed) attributes["error.type"] = "tool_error";
      return { ...base, name: `execute_tool ${name}`, kind, attributes, status: completedAt === null ? "unset" : failed ? "error" : "ok", statusMessage: failed ? (output?.error ?? "the tool call failed") : null };
    }
    case "approval": {
      const input = callInputSchema.safeParse(step.input).data ?? {};
      const approval = input.approvalId ? source.approvals.get(input.approvalId) : undefined;
      const name = input.name ?? approval?.name ?? "unknown";
      attributes["gen_ai.tool.name"] = name;
      if (step.callId !== null) attributes["gen_ai.tool.call.id"] = step.callId;
      if (input.approvalId) attributes["aiplus.approval.id"] = input.approvalId;
      if (input.inherited) attributes["aiplus.approval.inherited"] = true;
      if (approval) {
        attributes["aiplus.approval.status"] = approval.status;
        if (approval.reason !== null) attributes["aiplus.approval.reason"] = approval.reason;
        if (approval.decidedBy !== null) attributes["aiplus.approval.decided_by"] = approval.decidedBy;
      }
      // The wait lasts from the request to the decision (open while pending).
      const decidedAt = approval && approval.status !== "pending" ? Math.max(step.createdAt, approval.decidedAt ?? step.updatedAt) : null;
      return { ...base, name: `approval ${name}`, kind, attributes, endTime: decidedAt, status: decidedAt === null ? "unset" : "ok" };
    }
    case "handoff": {
      // The run loop's handoff input: `{transferStep, from, to: {id, version, name}}`.
      const input = handoffInputSchema.safeParse(step.input).data ?? {};
      if (input.from !== undefined) attributes["aiplus.handoff.from"] = input.from;
      if (input.to?.name !== undefined) attributes["aiplus.handoff.to"] = input.to.name;
      if (input.to?.id !== undefined) attributes["aiplus.handoff.to_agent_id"] = input.to.id;
      if (input.to?.version !== undefined) attributes["aiplus.handoff.to_agent_version"] = input.to.version;
      if (step.callId !== null) attributes["gen_ai.tool.call.id"] = step.callId;
      const target = input.to?.name ?? input.to?.id;
      return { ...base, name: target === undefined ? "handoff" : `handoff ${target}`, kind, attributes };
    }
    case "guardrail":
    case "step": {
      const fields = flatFields(step.input);
      for (const [key, value] of Object.entries(fields)) attributes[`aiplus.${kind}.${key}`] = value;
      const name = kind === "step" ? `step ${step.kind}` : kind;
      return { ...base, name, kind, attributes };
    }
    default:
      return kind satisfies never;
  }
}

function chatSpan(source: RunSource, step: StepRow, base: Pick<SpanDraft, "startTime" | "endTime" | "status" | "statusMessage">, attributes: Record<string, AttributeValue>): SpanDraft {
  const ledger: LedgerRow | undefined = step.ledgerRequestId === null ? undefined : source.ledger.get(step.ledgerRequestId);
  const output = modelOutputSchema.safeParse(step.output).data;
  const model = ledger?.model ?? source.model;
  attributes["gen_ai.operation.name"] = "chat";
  attributes["gen_ai.request.model"] = model;
  if (ledger) {
    if (ledger.inputTokens !== null) attributes["gen_ai.usage.input_tokens"] = ledger.inputTokens;
    if (ledger.outputTokens !== null) attributes["gen_ai.usage.output_tokens"] = ledger.outputTokens;
    attributes["aiplus.cost_usd"] = ledger.costNanos / 1e9;
    attributes["aiplus.ledger.request_id"] = ledger.id;
    attributes["aiplus.ledger.status"] = ledger.status;
    if (ledger.route !== null) attributes["aiplus.route"] = ledger.route;
    if (ledger.latencyMs !== null) attributes["aiplus.latency_ms"] = ledger.latencyMs;
  } else if (step.ledgerRequestId !== null) {
    attributes["aiplus.ledger.request_id"] = step.ledgerRequestId;
  }
  if (output?.finishReason) attributes["gen_ai.response.finish_reasons"] = [output.finishReason];
  const error = output?.error ?? undefined;
  if (error) attributes["error.type"] = error.code;
  // The call began when its ledger row was opened (before the step was logged).
  const startTime = ledger ? Math.min(ledger.createdAt, step.createdAt) : step.createdAt;
  const status: SpanStatus = base.endTime === null ? "unset" : error ? "error" : "ok";
  return { ...base, startTime, name: `chat ${model}`, kind: "chat", attributes, status, statusMessage: error?.message ?? null };
}

/** The span kind of a logged step kind (`plan`: an agent's planner model call). */
function spanKindOf(stepKind: string): Exclude<SpanKind, "run"> {
  switch (stepKind) {
    case "model_call":
    case "plan":
      return "chat";
    case "tool_call":
      return "execute_tool";
    case "approval":
      return "approval";
    case "handoff":
      return "handoff";
    case "guardrail":
      return "guardrail";
    default:
      return "step";
  }
}

/** The top-level string, number and boolean fields of a step's input JSON. */
function flatFields(value: unknown): Record<string, string | number | boolean> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string | number | boolean] => ["string", "number", "boolean"].includes(typeof entry[1])));
}

function sumOf<Item>(items: Item[], pick: (item: Item) => number | null): number {
  return items.reduce((total, item) => total + (pick(item) ?? 0), 0);
}
