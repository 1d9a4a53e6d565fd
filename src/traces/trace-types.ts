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

/** A run's trace: its root span first, then one span per logged step in step order. */
export type RunTrace = { runId: string; traceId: string; spans: TraceSpan[] };

/** A run as listed and shown: its state, its steps, and the ledger's tokens and cost of its model calls. */
export type RunSummary = {
  id: string;
  keyId: string;
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
  /** Charged to the key for the run's model calls (the ledger rows' cost), in dollars. */
  costUsd: number;
  createdAt: number;
  updatedAt: number;
  /** When it reached its terminal state; null while active. */
  endedAt: number | null;
};
