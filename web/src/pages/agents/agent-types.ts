/** Answer shapes of /v1/agents, /v1/runs, /v1/approvals and /v1/admin/mcp (see the README's Agents and Runs sections). */

export type Page<T, Cursor = string> = { object: "list"; data: T[]; first_id: Cursor | null; last_id: Cursor | null; has_more: boolean };

/** An agent definition as stored (defaults applied); edited as a whole and saved as a new version. */
export type AgentDefinition = {
  name: string;
  description?: string;
  profile?: { role?: string; persona?: string };
  instructions?: string;
  model: string;
  fallback_models: string[];
  tools: unknown[];
  planning: boolean;
  handoffs: string[];
  approval: { default: "always" | "never"; per_tool: Record<string, "always" | "never"> };
  memory: { blocks: unknown[]; recall: boolean; archival_knowledge_base?: string };
  limits: { max_steps?: number; max_tool_calls?: number; max_cost?: number };
  text?: { format: unknown };
};

export type AgentSummary = { id: string; object: "agent"; name: string; owner: string; latest_version: number; created_at: number; updated_at: number };

export type Agent = AgentSummary & { version: number; definition: AgentDefinition };

export type AgentImport = Agent & { import_outcome: "created" | "versioned" | "unchanged" };

export type AgentVersion = { object: "agent.version"; agent_id: string; version: number; created_at: number; definition: AgentDefinition };

export const runStates = ["queued", "running", "awaiting_approval", "completed", "failed", "cancelled", "incomplete"] as const;
export type RunState = (typeof runStates)[number];

export type Run = {
  id: string;
  object: "run";
  response_id: string;
  key_id: string;
  key_name: string | null;
  status: RunState;
  incomplete_reason: string | null;
  error: { code: string; message: string } | null;
  model: string;
  agent: { id: string; name: string | null; version: number } | null;
  background: boolean;
  steps: number;
  model_calls: number;
  tool_calls: number;
  pending_approvals: number;
  usage: { input_tokens: number; output_tokens: number; total_tokens: number };
  /** The run's own model calls plus those of agents it used as tools (what `max_cost` limits). */
  cost_usd: number;
  nested_model_calls: number;
  nested_cost_usd: number;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
};

export type RunStep = {
  object: "run.step";
  index: number;
  kind: string;
  status: string;
  started_at: number;
  ended_at: number | null;
  duration_ms: number | null;
  call_id: string | null;
  name: string | null;
  server_label: string | null;
  arguments: string | null;
  output: string | null;
  error: string | null;
  model: string | null;
  usage: { input_tokens: number; output_tokens: number } | null;
  cost_usd: number | null;
  finish_reason: string | null;
  text: string | null;
  tool_calls: Array<{ call_id: string; name: string; arguments: string }>;
  approval: { id: string; status: string; reason: string | null; decided_by: string | null; decided_at: number | null } | null;
  handoff: { from: string | null; to: { id: string | null; version: number | null; name: string | null } } | null;
};

export type RunSteps = Page<RunStep, number> & { run_id: string };

/** A pending item of the approvals inbox: a tool call (of a response run or a workflow step) or a workflow's question. */
export type ApprovalItem = {
  id: string;
  object: "approval_request";
  kind: "tool_call" | "human_input";
  response_id: string | null;
  workflow_run_id?: string | null;
  workflow_id?: string | null;
  /** The workflow version the run runs. */
  workflow_version?: number | null;
  step_id?: string | null;
  server_label: string | null;
  name: string | null;
  arguments: string | null;
  prompt?: string | null;
  schema?: unknown;
  status: string;
  reason: string | null;
  created_at: number;
  expires_at: number | null;
};

export type McpServer = {
  object: "mcp_server";
  label: string;
  url: string | null;
  transport: string;
  headers: Record<string, string>;
  command?: string;
  allowed_tools: string[] | null;
  created_at: number;
};

export type McpTool = {
  object: "mcp_tool";
  server: string;
  name: string;
  namespaced_name: string;
  description: string | null;
  input_schema: unknown;
  hash: string;
  status: "new" | "approved" | "changed";
  approved_hash: string | null;
  allowed: boolean;
};

/** The response `POST /v1/responses` answers (only what the console reads). */
export type StartedResponse = { id: string; object: "response"; status: string };
