import type { ColumnType, Generated } from "kysely";

/** Times are epoch milliseconds; money is integer nano-dollars; prices are micro-dollars per 1M tokens. */
export type ModelsTable = {
  name: string;
  path: string;
  /** `llm` or `embedding`. */
  kind: string;
  size_bytes: number;
  sha256: string | null;
  architecture: string;
  /** JSON of `ModelMetadata` (runtime/gguf). */
  metadata: string;
  created_at: number;
};

export type ProvidersTable = {
  id: string;
  name: string;
  base_url: string;
  api_key: string | null;
  /** JSON array of model names this provider serves. */
  models: string;
  /** Lower is tried first. */
  priority: number;
  timeout_ms: number;
  created_at: number;
};

export type ApiKeysTable = {
  id: string;
  name: string;
  /** Visible part of the key, e.g. `aip_3fK9xQ2m`. */
  prefix: string;
  /** HMAC-SHA256 (hex) of the whole key under the server's key secret. */
  hash: string;
  is_admin: number;
  /** 1 when an admin granted code execution (sandboxed code-running eval tasks) to this non-admin key (migration 0004). */
  allow_code_execution: number;
  /** JSON array of allowed model names; null allows every model. */
  models: string | null;
  rpm: number | null;
  tpm: number | null;
  budget_nanos: number | null;
  /** `day`, `week`, `month` or `total`. */
  budget_period: string;
  period_start: number;
  spent_nanos: number;
  reserved_nanos: number;
  expires_at: number | null;
  revoked_at: number | null;
  created_at: number;
  /** Name of the key's own guardrail policy (migration 0023); null: the default policy alone. */
  policy: string | null;
  /** Cap on the key's concurrent requests (migration 0025); null: none. */
  max_concurrent_requests: number | null;
};

export type PricesTable = {
  model: string;
  input_micros_per_million: number;
  output_micros_per_million: number;
  updated_at: number;
};

export type UsageRecordsTable = {
  id: string;
  instance_id: string;
  key_id: string | null;
  model: string;
  /** `local` or the provider name that served the request. */
  route: string | null;
  /** `chat.completions`, `completions`, `embeddings`. */
  endpoint: string;
  /** `pending`, `ok`, `error`, `cancelled`, `interrupted`. */
  status: string;
  cancelled: number;
  input_tokens: number | null;
  output_tokens: number | null;
  /** Charged to the key: 0 when the client got an error response (see provider_cost_nanos). */
  cost_nanos: number;
  /**
   * What the request's tokens cost at the price book, charged or not (migration 0005), plus the cost of its failed
   * attempts' tokens (migration 0010).
   */
  provider_cost_nanos: number;
  /** Attempts the gateway abandoned: retries and failovers, or every attempt of a failed request (migration 0010). */
  failed_attempts: number;
  /** Tokens of those attempts, as far as known (never charged to the key). */
  failed_input_tokens: number | null;
  failed_output_tokens: number | null;
  reserved_nanos: number;
  latency_ms: number | null;
  error: string | null;
  /** UTC day `YYYY-MM-DD` of created_at, for aggregation. */
  day: string;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
};

export type InstancesTable = {
  id: string;
  /** `server` or `cli`. */
  kind: string;
  pid: number;
  hostname: string;
  started_at: number;
  heartbeat_at: number;
};

export type EvalRunsTable = {
  id: string;
  /** Built-in task name or custom task name. */
  task: string;
  model: string;
  /** `llama.cpp` or `lm-eval` (log-likelihood tasks); null for generative tasks. */
  scoring: string | null;
  /** JSON of the run request (dataset path, limit, options), enough to resume. */
  config: string;
  /** Description of the backend that scored the items, e.g. `local:stories260K#1185376`. */
  backend: string | null;
  /** `pending`, `running`, `completed`, `failed`, `cancelled`. */
  status: string;
  total_items: number;
  done_items: number;
  /** JSON array of MetricSummary (value, standard error, bootstrap 95% interval). */
  metrics: string | null;
  error: string | null;
  key_id: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
};

/** One scored item of an eval run; JSON columns. Primary key (run_id, item_index). */
export type EvalItemsTable = {
  run_id: string;
  item_index: number;
  item_id: string;
  prompt: string;
  choices: string | null;
  scores: string | null;
  prediction: string | null;
  reference: string | null;
  metrics: string;
  details: string | null;
  created_at: number;
};

export type ArenaBattlesTable = {
  id: string;
  prompt: string;
  model_a: string;
  model_b: string;
  answer_a: string | null;
  answer_b: string | null;
  /** `model_a`, `model_b`, `tie`, `tie (bothbad)` (FastChat names); null until voted. */
  winner: string | null;
  category: string | null;
  key_id: string | null;
  created_at: number;
  voted_at: number | null;
  /** Identity of a battle imported from a log (unique; null for battles fought here). See migration 0007. */
  import_key: string | null;
};

/** A durable background job (see src/jobs). */
export type JobsTable = {
  id: string;
  /** Handler name, e.g. `knowledge.ingest`. */
  kind: string;
  /** `queued`, `running`, `completed`, `failed`, `cancelled`. */
  status: string;
  /** What the job works on (e.g. a knowledge base id), for listing. */
  subject: string | null;
  key_id: string | null;
  /** JSON input of the handler. */
  payload: string;
  /** JSON output of the handler. */
  result: string | null;
  error: string | null;
  progress_done: number;
  progress_total: number;
  /** `hostname/pid/uuid` of the runner that holds the job while running. */
  holder: string | null;
  heartbeat_at: number | null;
  attempts: number;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
};

/** Live figures of a model download (`model.pull` job, same id); see migration 0018. */
export type ModelPullsTable = {
  id: string;
  bytes_done: number;
  /** null when the server sent no length. */
  bytes_total: number | null;
  /** Recent download rate; null before the first bytes and once the download stopped. */
  rate_bytes_per_second: number | null;
  /** Bytes already on disk when the latest attempt started (a resumed download). */
  resumed_from: number;
  /** Why the latest attempt failed (`interrupted`, `checksum-mismatch`, `invalid-file`, …); null otherwise. */
  error_code: string | null;
  updated_at: number;
};

/** One Responses API response (a run). JSON columns; see migration 0009. */
export type ResponsesTable = {
  /** `resp_…`. */
  id: string;
  /** The API key that created it; every read is scoped to it. */
  key_id: string;
  model: string;
  /** `queued`, `in_progress`, `completed`, `incomplete`, `failed`, `cancelled`. */
  status: string;
  background: number;
  previous_response_id: string | null;
  /** JSON of the request parameters (without `input`, which is in response_items). */
  request: string;
  /** JSON of the Response object as last built. */
  response: string;
  error: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
  /** Run events numbered below it are covered by the last committed step (migration 0013; null: none yet). */
  run_event_watermark: ColumnType<number | null, number | null | undefined, number | null>;
};

/** The ordered items of a response: input items first, then output items. Primary key (response_id, position). */
export type ResponseItemsTable = {
  response_id: string;
  position: number;
  /** `input` or `output`. */
  kind: string;
  item_id: string;
  /** `message`, `function_call`, `function_call_output`, … */
  item_type: string;
  /** JSON of the item. */
  item: string;
  created_at: number;
};

/** A registered MCP server (src/mcp, migration 0011). `label` is its namespace (`label__tool`). */
export type McpServersTable = {
  label: string;
  url: string;
  /** `streamable-http` or `stdio`. */
  transport: string;
  /** JSON object of HTTP headers sent to the server (secrets; never shown back). */
  headers: string;
  /** JSON array of tool names the server may expose; null allows all. */
  allowed_tools: string | null;
  created_at: number;
  /** stdio servers (migration 0015): absolute program path; null for Streamable HTTP. */
  command: string | null;
  /** JSON array of arguments (stdio). */
  args: string | null;
  /** JSON object of environment variables (stdio; secrets, never shown back). */
  env: string | null;
  /** JSON array of host folders bound read-only into the sandbox (stdio). */
  binds: string | null;
};

/** The approved hash (sha256 of name, description and canonical input schema) of one tool of an MCP server. */
export type McpToolApprovalsTable = {
  server_label: string;
  tool_name: string;
  hash: string;
  /** Who approved it: an API key id, or `local` (CLI). */
  approved_by: string;
  approved_at: number;
};

/** A non-admin key's grant on an MCP server: its tools (JSON array) or all (null). */
export type McpGrantsTable = {
  server_label: string;
  key_id: string;
  tools: string | null;
  created_at: number;
};

/** An agent (src/agents, migration 0012): owned by the key that created it (`local` for the CLI). */
export type AgentsTable = {
  /** `agent_…`. */
  id: string;
  /** Unique among the owner's live agents. */
  name: string;
  /** An API key id, or `local`. */
  owner_id: string;
  latest_version: number;
  created_at: number;
  updated_at: number;
  /** Set when deleted: the versions stay so that runs naming `{id, version}` still resolve. */
  deleted_at: number | null;
};

/** One immutable version of an agent's definition (JSON). Primary key (agent_id, version). */
export type AgentVersionsTable = {
  agent_id: string;
  version: number;
  definition: string;
  created_at: number;
};

/** A long-term memory block's value for one agent, key and user (`''`: none). Primary key (agent_id, key_id, user_id, label). */
export type MemoryBlocksTable = {
  agent_id: string;
  /** The API key the memory belongs to (`local` for the CLI): memory is never shared across keys. */
  key_id: string;
  user_id: string;
  label: string;
  value: string;
  /** The block's limit when last written. */
  limit_chars: number;
  updated_at: number;
};

/** A response run's streamed events, numbered from 0 per response (migration 0013). */
export type RunEventsTable = { response_id: string; sequence_number: number; type: string; payload: string; created_at: number };

/** One step of a response run: a model call, a server tool call or an approval (migration 0013). */
export type RunStepsTable = {
  response_id: string;
  step_index: number;
  /** `model_call`, `tool_call` or `approval`. */
  kind: string;
  call_id: string | null;
  /** `running`, `completed`; approvals `pending`, `decided`. */
  status: string;
  /** JSON. */
  input: string;
  /** JSON; null until the step finished. */
  output: string | null;
  /** The ledger row of a model call. */
  ledger_request_id: string | null;
  /** The first event sequence number the step wrote (a step cut by a crash is replayed from here). */
  first_event: number;
  created_at: number;
  updated_at: number;
};

/** A server tool call waiting for (or given) a person's decision (migration 0013). */
export type RunApprovalsTable = {
  /** `mcpr_…`: the approval request item's id. */
  id: string;
  response_id: string;
  key_id: string;
  call_id: string;
  server_label: string;
  name: string;
  arguments: string;
  /** `pending`, `approved` or `denied`. */
  status: string;
  reason: string | null;
  /** The key that decided. */
  decided_by: string | null;
  /** The response that continues the run with this decision (the request's own, or a later one chaining on it). */
  continued_by: string | null;
  expires_at: number;
  created_at: number;
  decided_at: number | null;
};

/** A workflow definition (migration 0014); `definition` is its JSON. */
export type WorkflowsTable = {
  id: string;
  name: string;
  owner_id: string;
  /** The latest version's definition. */
  definition: string;
  /** The latest version (migration 0029). */
  version: Generated<number>;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
};

/** One immutable version of a workflow (migration 0029); `definition` is its JSON. */
export type WorkflowVersionsTable = { workflow_id: string; version: number; definition: string; created_at: number };

/** The ledger row of a model call an agent used as a tool made inside a response run (migration 0029). */
export type RunNestedCallsTable = { response_id: string; ledger_request_id: string; created_at: number };

/** One workflow run (migration 0014): `queued`, `running`, `awaiting_input`, `completed`, `failed` or `cancelled`. */
export type WorkflowRunsTable = {
  id: string;
  workflow_id: string;
  /** The workflow version the run ran (migration 0029). */
  workflow_version: Generated<number>;
  key_id: string;
  status: string;
  /** JSON: the definition as the run started. */
  definition: string;
  /** JSON. */
  inputs: string;
  /** JSON; null until completed. */
  output: string | null;
  /** JSON `{code, message}`; null unless failed. */
  error: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
};

/** One logged step of a workflow run (migration 0014); `step_key` is a step id, or `id[i]` for a map item. */
export type WorkflowRunStepsTable = {
  run_id: string;
  step_key: string;
  /** `running`, `waiting` (human input), `completed`, `failed` or `skipped`. */
  status: string;
  /** JSON; null until completed. */
  output: string | null;
  error: string | null;
  attempts: number;
  created_at: number;
  updated_at: number;
};

/** Web console sessions (migration 0016): `id` is the SHA-256 hex of the cookie's token, never the token. */
export type ConsoleSessionsTable = {
  id: string;
  key_id: string;
  created_at: number;
  expires_at: number;
};

/**
 * One document of a knowledge-base ingestion job (migration 0020): its stage, chunk progress, why it failed, and the
 * file the job reads (kept while it failed or was cancelled, for a retry). The newest row of a document wins.
 */
export type KnowledgeDocumentTasksTable = {
  job_id: string;
  document_id: string;
  knowledge_base_id: string;
  name: string;
  /** Place of the document in its job's upload. */
  position: number;
  /** `queued`, `parsing`, `embedding`, `storing`, `ready`, `failed`, `cancelled`. */
  stage: string;
  progress_done: number;
  progress_total: number;
  error: string | null;
  error_code: string | null;
  source_file: string;
  format: string | null;
  /** JSON object of the document's metadata. */
  metadata: string;
  /** 1 when the upload asked to re-ingest unchanged content. */
  force: number;
  created_at: number;
  updated_at: number;
};

/** One version of a named guardrail policy (migration 0023). */
export type GuardrailPoliciesTable = {
  name: string;
  /** 1, 2, … per name. */
  version: number;
  /** JSON of the validated policy. */
  document: string;
  /** The policy file as given (YAML or JSON). */
  source: string;
  /** Who set it: an API key's id, or `cli`. */
  created_by: string | null;
  created_at: number;
  /** Set on every version when the name is removed. */
  removed_at: number | null;
};

/** The append-only audit log (migration 0024): guardrail decisions and admin actions; never a detected value. */
export type AuditLogTable = {
  seq: Generated<number>;
  created_at: number;
  /** `guardrail` or `admin`. */
  kind: string;
  key_id: string | null;
  /** Who acted: a key's name, or `cli` (admin actions). */
  actor: string | null;
  endpoint: string | null;
  model: string | null;
  /** `local` or the provider name (guardrail decisions). */
  route: string | null;
  /** `default@3+strict@1`. */
  policy: string | null;
  /** `pii.EMAIL_ADDRESS`, `injection.ignore_instructions`, `canary_echo`, or the admin action (`keys.create`). */
  rule: string;
  action: string;
  entity_type: string | null;
  /** JSON `[{location, start, end}]`. */
  positions: string | null;
  /** HMAC-SHA256 (hex) of the detected value under the server's secret. */
  value_hmac: string | null;
  /** What an admin action changed (a key id, a policy name). */
  target: string | null;
  /** JSON with more about an admin action (never a secret). */
  details: string | null;
  /** The ledger's request id (usage record) a guardrail decision belongs to (migration 0028). */
  request_id: string | null;
};

/** Shared rate limits (migration 0025): the row a counting transaction upserts first, so instances take turns. */
export type RateLimitLocksTable = {
  key_id: string;
  /** `requests`, `tokens` or `slots`. */
  counter: string;
  touched_at: number;
};

/** Shared rate limits (migration 0025): one request, or tokens, counted in a key's sliding window. */
export type RateLimitEntriesTable = {
  id: string;
  key_id: string;
  /** `requests` or `tokens`. */
  counter: string;
  at: number;
  amount: number;
};

/** Shared rate limits (migration 0025): one running request of a key, a lease its instance renews. */
export type ConcurrencySlotsTable = { id: string; key_id: string; expires_at: number };

/** Shared state (migration 0027): a byte content (a staged upload, an eval dataset file), cut into parts. */
export type StoredBlobsTable = { id: string; purpose: string; byte_count: number; part_count: number; created_at: number };

/** Shared state (migration 0027): part `part_index` of a blob, at most 1 MiB (BLOB / bytea). */
export type StoredBlobPartsTable = { blob_id: string; part_index: number; bytes: Uint8Array };

/** Shared state (migration 0027): the dataset configured for a built-in eval task. */
export type EvalDatasetsTable = {
  task: string;
  /** Where it came from (an absolute path on the machine that configured it). */
  path: string;
  few_shot_path: string | null;
  /** Content address of its files (`eval_dataset_files.digest`). */
  digest: string;
  /** The data's name among its files (`data/<file or folder name>`). */
  data_name: string;
  few_shot_name: string | null;
  updated_at: number;
};

/** Shared state (migration 0027): one file of a configured eval dataset (its content in `stored_blobs`). */
export type EvalDatasetFilesTable = { digest: string; name: string; blob_id: string };

export type MigrationsNote = { id: Generated<number> };

export type DatabaseSchema = {
  models: ModelsTable;
  providers: ProvidersTable;
  api_keys: ApiKeysTable;
  prices: PricesTable;
  usage_records: UsageRecordsTable;
  instances: InstancesTable;
  eval_runs: EvalRunsTable;
  eval_items: EvalItemsTable;
  arena_battles: ArenaBattlesTable;
  jobs: JobsTable;
  model_pulls: ModelPullsTable;
  responses: ResponsesTable;
  response_items: ResponseItemsTable;
  mcp_servers: McpServersTable;
  mcp_tool_approvals: McpToolApprovalsTable;
  mcp_grants: McpGrantsTable;
  agents: AgentsTable;
  agent_versions: AgentVersionsTable;
  memory_blocks: MemoryBlocksTable;
  run_events: RunEventsTable;
  run_steps: RunStepsTable;
  run_approvals: RunApprovalsTable;
  workflows: WorkflowsTable;
  workflow_versions: WorkflowVersionsTable;
  run_nested_calls: RunNestedCallsTable;
  workflow_runs: WorkflowRunsTable;
  workflow_run_steps: WorkflowRunStepsTable;
  console_sessions: ConsoleSessionsTable;
  knowledge_document_tasks: KnowledgeDocumentTasksTable;
  guardrail_policies: GuardrailPoliciesTable;
  audit_log: AuditLogTable;
  rate_limit_locks: RateLimitLocksTable;
  rate_limit_entries: RateLimitEntriesTable;
  concurrency_slots: ConcurrencySlotsTable;
  stored_blobs: StoredBlobsTable;
  stored_blob_parts: StoredBlobPartsTable;
  eval_datasets: EvalDatasetsTable;
  eval_dataset_files: EvalDatasetFilesTable;
};
