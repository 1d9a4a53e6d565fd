import type { JsonSchema } from "../spec/index.js";

/** A text content part of a message item. */
export type ContentPart = { type: "input_text"; text: string } | { type: "output_text"; text: string; annotations: unknown[] };

export type ItemStatus = "in_progress" | "completed" | "incomplete";

/** A message item (input or output), with its id. */
export type MessageItem = {
  id: string;
  type: "message";
  role: "user" | "system" | "developer" | "assistant";
  status: ItemStatus;
  content: ContentPart[];
};

/** A function call the model made (`call_id` pairs it with its output). */
export type FunctionCallItem = { id: string; type: "function_call"; call_id: string; name: string; arguments: string; status: ItemStatus };

/** The caller's result of a function call. */
export type FunctionCallOutputItem = { id: string; type: "function_call_output"; call_id: string; output: string; status: ItemStatus };

/**
 * A call of a server tool that the run executed (OpenAI's MCP call item; built-in tools use `server_label` "aiplus").
 * `error` is set when the call failed, was denied or was interrupted; the model sees it as the call's result.
 */
export type McpCallItem = {
  id: string;
  type: "mcp_call";
  server_label: string;
  name: string;
  arguments: string;
  output: string | null;
  error: string | null;
  approval_request_id: string | null;
  status: "completed" | "failed";
};

/**
 * aiplus extension: the plan an agent's planner step wrote (a numbered list) and the run follows; a revised plan
 * (after a tool error) is a later `plan` item. Not sent to the model as a message: the latest plan is part of the
 * instructions of later calls.
 */
export type PlanItem = { id: string; type: "plan"; agent: string; revision: number; content: string; status: "completed" };

/** A server tool call waiting for a person's decision (the run is paused until then). */
export type McpApprovalRequestItem = { id: string; type: "mcp_approval_request"; server_label: string; name: string; arguments: string };

/** The tools an MCP server listed for a run (once per server and conversation; later responses reuse it). */
export type McpListToolsItem = {
  id: string;
  type: "mcp_list_tools";
  server_label: string;
  tools: Array<{ name: string; description: string | null; input_schema: JsonSchema; annotations: null }>;
  /** Why listing failed (then `tools` is empty). */
  error: string | null;
};

/** One passage a `file_search_call` found: `file_id` is the document id in its knowledge base. */
export type FileSearchResult = { file_id: string; filename: string; score: number; text: string; attributes: { knowledge_base: string } };

/** A knowledge search the run executed for the request's `file_search` tool. */
export type FileSearchCallItem = { id: string; type: "file_search_call"; status: "in_progress" | "searching" | "completed" | "failed"; queries: string[]; results: FileSearchResult[] | null };

/** The caller's decision on an approval request (an input item). */
export type McpApprovalResponseItem = { id: string; type: "mcp_approval_response"; approval_request_id: string; approve: boolean; reason: string | null };

/**
 * One item of a response's conversation, as stored and listed. The union grows with later capabilities
 * (reasoning); every switch over it is exhaustive.
 */
export type ResponseItem = MessageItem | FunctionCallItem | FunctionCallOutputItem | McpCallItem | McpApprovalRequestItem | McpApprovalResponseItem | PlanItem | McpListToolsItem | FileSearchCallItem;

/** What a response produced: the model's messages and client function calls, and the server tool calls of its run. */
export type OutputItem = (MessageItem & { role: "assistant" }) | FunctionCallItem | McpCallItem | McpApprovalRequestItem | PlanItem | McpListToolsItem | FileSearchCallItem;

export type ResponseStatus = "queued" | "in_progress" | "completed" | "incomplete" | "failed" | "cancelled";

export type ResponseTextFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; name: string; schema: JsonSchema; strict: boolean | null; description?: string | undefined };

export type FunctionTool = { type: "function"; name: string; description: string | null; parameters: JsonSchema | null; strict: boolean };

/**
 * A tool executed by the server during the run (aiplus extension): one registered server tool by name;
 * `require_approval: "always"` pauses before every call, `"default"` follows the tool's own policy.
 */
export type ServerToolEntry = { type: "server_tool"; name: string; require_approval: "always" | "default" };

/**
 * An MCP server's tools for this run: a registered server (`server_label`) or an ad-hoc one (`server_url`, checked
 * against the MCP URL allow-list). `require_approval` defaults to "always" (OpenAI's default).
 */
export type McpToolEntry = {
  type: "mcp";
  server_label: string;
  server_url: string | null;
  allowed_tools: string[] | null;
  require_approval: "always" | "never" | { never: { tool_names: string[] } };
  /** Sent to an ad-hoc server only; never echoed (the response shows the header names with `"<redacted>"`). */
  headers: Record<string, string> | null;
};

/** Knowledge search over aiplus knowledge bases (ids or names in `vector_store_ids`). */
export type FileSearchToolEntry = { type: "file_search"; vector_store_ids: string[]; max_num_results: number };

export type ResponseTool = FunctionTool | ServerToolEntry | McpToolEntry | FileSearchToolEntry;

export type ResponseToolChoice = "auto" | "none" | "required" | { type: "function"; name: string };

export type ResponseUsage = {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
};

/** The request parameters a response echoes (everything but `input`), normalised with OpenAI's defaults. */
export type ResponseParameters = {
  model: string;
  instructions: string | null;
  tools: ResponseTool[];
  tool_choice: ResponseToolChoice;
  text: { format: ResponseTextFormat };
  /** Null when the request left it to the model's default. */
  temperature: number | null;
  /** Null when the request left it to the model's default. */
  top_p: number | null;
  /** Output tokens of the whole run (every model call of it together). */
  max_output_tokens: number | null;
  /** Server tool calls the run may execute; null: the default limit. */
  max_tool_calls: number | null;
  metadata: Record<string, string>;
  store: boolean;
  previous_response_id: string | null;
  parallel_tool_calls: boolean;
  user: string | null;
  /** aiplus extension: the agent (at a resolved version) that runs this response; absent for plain responses. */
  agent?: AgentReference | undefined;
};

/** An agent at one version, as a response names it (`agent: {id, version}`). */
export type AgentReference = { id: string; version: number };

/** OpenAI's Response object. */
export type ResponseObject = Omit<ResponseParameters, "user" | "temperature" | "top_p"> & {
  temperature: number;
  top_p: number;
  id: string;
  object: "response";
  created_at: number;
  status: ResponseStatus;
  background: boolean;
  completed_at: number | null;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: IncompleteReason } | null;
  output: OutputItem[];
  truncation: "disabled";
  usage: ResponseUsage | null;
  user?: string | undefined;
  /** aiplus extension: the run's state, finer than `status` (`awaiting_approval` while `status` is `in_progress`). */
  run_status?: RunStatus | undefined;
};

/** Why a response ended `incomplete` (`max_steps` and `max_cost` are an agent's limits). */
export type IncompleteReason = "max_output_tokens" | "content_filter" | "max_tool_calls" | "max_steps" | "max_cost";

/** A run's state: `awaiting_approval` pauses it (its job ends) until every approval request of it is decided. */
export type RunStatus = "queued" | "running" | "awaiting_approval" | "completed" | "incomplete" | "failed" | "cancelled";

/** A streaming event before its sequence number is assigned. */
export type ResponseStreamEventBody =
  | {
      type: "response.created" | "response.queued" | "response.in_progress" | "response.completed" | "response.incomplete" | "response.failed";
      response: ResponseObject;
    }
  | { type: "response.mcp_call.in_progress" | "response.mcp_call.completed" | "response.mcp_call.failed"; item_id: string; output_index: number }
  | { type: "response.mcp_list_tools.in_progress" | "response.mcp_list_tools.completed" | "response.mcp_list_tools.failed"; item_id: string; output_index: number }
  | { type: "response.file_search_call.in_progress" | "response.file_search_call.searching" | "response.file_search_call.completed"; item_id: string; output_index: number }
  | { type: "response.output_item.added" | "response.output_item.done"; output_index: number; item: OutputItem }
  | {
      type: "response.content_part.added" | "response.content_part.done";
      item_id: string;
      output_index: number;
      content_index: number;
      part: ContentPart;
    }
  | { type: "response.output_text.delta"; item_id: string; output_index: number; content_index: number; delta: string; logprobs: [] }
  | { type: "response.output_text.done"; item_id: string; output_index: number; content_index: number; text: string; logprobs: [] }
  | { type: "response.function_call_arguments.delta"; item_id: string; output_index: number; delta: string }
  | { type: "response.function_call_arguments.done"; item_id: string; output_index: number; name: string; arguments: string }
  | { type: "error"; code: string | null; message: string; param: string | null };

/** A streaming event as sent: every event carries a `sequence_number` (0, 1, 2, …). */
export type ResponseStreamEvent = ResponseStreamEventBody & { sequence_number: number };
