/** A run's state (`awaiting_approval` while its response is `in_progress` and waits for a decision). */
export type RunState = "queued" | "running" | "awaiting_approval" | "completed" | "failed" | "cancelled" | "incomplete";

export const runStates = ["queued", "running", "awaiting_approval", "completed", "failed", "cancelled", "incomplete"] as const satisfies readonly RunState[];

/**
 * What a span stands for: the run itself, a model call (`chat`), a server tool call, a wait for a person's decision,
 * a change of agent, a guardrail check; `step` for a logged step of a kind this version does not know.
 */
export type SpanKind = "run" | "chat" | "execute_tool" | "approval" | "handoff" | "guardrail" | "step";

/** OpenTelemetry's span status: `unset` while the span is open or when it neither succeeded nor failed (a cancel). */
export type SpanStatus = "ok" | "error" | "unset";

/** An attribute value (OpenTelemetry's AnyValue, restricted to what spans here carry). */
export type AttributeValue = string | number | boolean | string[];

/**
 * One span of a run's trace, named after OpenTelemetry's GenAI semantic conventions (`invoke_agent {agent}`,
 * `chat {model}`, `execute_tool {name}`). Times are epoch milliseconds; `endTime` is null while the span is open.
 */
export type TraceSpan = {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKind;
  /** The run step the span comes from (null for the run's own span). */
  stepIndex: number | null;
  startTime: number;
  endTime: number | null;
  /** `endTime - startTime`, null while open. */
  durationMs: number | null;
  status: SpanStatus;
  statusMessage: string | null;
  attributes: Record<string, AttributeValue>;
};

/** A run's trace: its root span first, then one span per logged step in step order (a model call's guardrail spans right after it). */
export type RunTrace = { runId: string; traceId: string; spans: TraceSpan[] };

/** A run as listed and shown: its state, its steps, and the ledger's tokens and cost of its model calls. */
export type RunSummary = {
  id: string;
  keyId: string;
  /** The name of the key that started it; null when the key is gone. */
  keyName: string | null;
  model: string;
  /** The agent that runs it (name as of now, id, version); null for a plain response. */
  agent: { id: string; name: string | null; version: number } | null;
  state: RunState;
  /** The limit that stopped an `incomplete` run (`max_output_tokens`, `max_tool_calls`, `max_steps`, …). */
  incompleteReason: string | null;
  error: { code: string; message: string } | null;
  background: boolean;
  steps: number;
  modelCalls: number;
  toolCalls: number;
  pendingApprovals: number;
  inputTokens: number;
  outputTokens: number;
  /** Charged to the key for the run's model calls and its nested calls (the ledger rows' cost), in dollars. */
  costUsd: number;
  /** Model calls made by agents the run used as tools (any depth), and their part of `costUsd`. */
  nestedModelCalls: number;
  nestedCostUsd: number;
  createdAt: number;
  updatedAt: number;
  /** When it reached its terminal state; null while active. */
  endedAt: number | null;
};

/**
 * One step of a run with its content (`GET /v1/runs/{id}/steps`): what the model replied and asked for, a tool call's
 * arguments and result, an approval's decision, a handoff. Times are epoch milliseconds; `endedAt` null while open.
 */
export type RunStepDetail = {
  index: number;
  /** The logged step kind: `model_call`, `plan`, `tool_call`, `approval`, `handoff`, … */
  kind: string;
  /** `running` or `completed` as logged. */
  status: string;
  startedAt: number;
  endedAt: number | null;
  callId: string | null;
  /** The tool's name (tool calls, approvals). */
  name: string | null;
  serverLabel: string | null;
  /** The call's JSON arguments as the model wrote them. */
  arguments: string | null;
  /** A tool call's result. */
  output: string | null;
  /** A tool call's or a model call's error. */
  error: string | null;
  /** Model calls: the model that answered, the ledger's tokens and cost, the finish reason, the reply text (a plan's content). */
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  finishReason: string | null;
  text: string | null;
  /** Model calls: the tool calls the reply asked for. */
  toolCalls: Array<{ callId: string; name: string; arguments: string }>;
  approval: { id: string; status: string; reason: string | null; decidedBy: string | null; decidedAt: number | null } | null;
  handoff: { from: string | null; to: { id: string | null; version: number | null; name: string | null } } | null;
};
