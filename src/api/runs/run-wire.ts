import type { RunStepDetail, RunSummary, RunTrace } from "../../traces/index.js";

/** A run as `/v1/runs` shows it (times in epoch seconds, as the Responses API's). */
export function toRunView(run: RunSummary) {
  return {
    id: run.id,
    object: "run",
    response_id: run.id,
    key_id: run.keyId,
    key_name: run.keyName,
    status: run.state,
    incomplete_reason: run.incompleteReason,
    error: run.error,
    model: run.model,
    agent: run.agent,
    background: run.background,
    steps: run.steps,
    model_calls: run.modelCalls,
    tool_calls: run.toolCalls,
    pending_approvals: run.pendingApprovals,
    usage: { input_tokens: run.inputTokens, output_tokens: run.outputTokens, total_tokens: run.inputTokens + run.outputTokens },
    cost_usd: run.costUsd,
    nested_model_calls: run.nestedModelCalls,
    nested_cost_usd: run.nestedCostUsd,
    created_at: Math.floor(run.createdAt / 1000),
    updated_at: Math.floor(run.updatedAt / 1000),
    ended_at: run.endedAt === null ? null : Math.floor(run.endedAt / 1000),
  };
}

/** A run's trace as `/v1/runs/{id}/trace` shows it (span times in epoch milliseconds). */
export function toTraceView(trace: RunTrace) {
  return {
    object: "trace",
    run_id: trace.runId,
    trace_id: trace.traceId,
    spans: trace.spans.map((span) => ({
      trace_id: span.traceId,
      span_id: span.spanId,
      parent_span_id: span.parentSpanId,
      name: span.name,
      kind: span.kind,
      step_index: span.stepIndex,
      start_time_ms: span.startTime,
      end_time_ms: span.endTime,
      duration_ms: span.durationMs,
      status: span.status,
      status_message: span.statusMessage,
      attributes: span.attributes,
    })),
  };
}

const seconds = (milliseconds: number) => Math.floor(milliseconds / 1000);

/** A run's step with its content as `/v1/runs/{id}/steps` shows it (`*_at` in epoch seconds, `duration_ms`). */
export function toRunStepView(step: RunStepDetail) {
  return {
    object: "run.step",
    index: step.index,
    kind: step.kind,
    status: step.status,
    started_at: seconds(step.startedAt),
    ended_at: step.endedAt === null ? null : seconds(step.endedAt),
    duration_ms: step.endedAt === null ? null : step.endedAt - step.startedAt,
    call_id: step.callId,
    name: step.name,
    server_label: step.serverLabel,
    arguments: step.arguments,
    output: step.output,
    error: step.error,
    model: step.model,
    usage: step.inputTokens === null && step.outputTokens === null ? null : { input_tokens: step.inputTokens ?? 0, output_tokens: step.outputTokens ?? 0 },
    cost_usd: step.costUsd,
    finish_reason: step.finishReason,
    text: step.text,
    tool_calls: step.toolCalls.map((call) => ({ call_id: call.callId, name: call.name, arguments: call.arguments })),
    approval: step.approval && {
      id: step.approval.id,
      status: step.approval.status,
      reason: step.approval.reason,
      decided_by: step.approval.decidedBy,
      decided_at: step.approval.decidedAt === null ? null : seconds(step.approval.decidedAt),
    },
    handoff: step.handoff,
  };
}
