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
 * One item of a response's conversation, as stored and listed. The union grows with later capabilities
 * (reasoning, MCP calls and approvals); every switch over it is exhaustive.
 */
export type ResponseItem = MessageItem | FunctionCallItem | FunctionCallOutputItem;

/** What the model produced. */
export type OutputItem = (MessageItem & { role: "assistant" }) | FunctionCallItem;

export type ResponseStatus = "queued" | "in_progress" | "completed" | "incomplete" | "failed" | "cancelled";

export type ResponseTextFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; name: string; schema: JsonSchema; strict: boolean | null; description?: string | undefined };

export type FunctionTool = { type: "function"; name: string; description: string | null; parameters: JsonSchema | null; strict: boolean };

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
  tools: FunctionTool[];
  tool_choice: ResponseToolChoice;
  text: { format: ResponseTextFormat };
  /** Null when the request left it to the model's default. */
  temperature: number | null;
  /** Null when the request left it to the model's default. */
  top_p: number | null;
  max_output_tokens: number | null;
  metadata: Record<string, string>;
  store: boolean;
  previous_response_id: string | null;
  parallel_tool_calls: boolean;
  user: string | null;
};

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
  incomplete_details: { reason: "max_output_tokens" | "content_filter" } | null;
  output: OutputItem[];
  truncation: "disabled";
  usage: ResponseUsage | null;
  user?: string | undefined;
};

/** A streaming event before its sequence number is assigned. */
export type ResponseStreamEventBody =
  | { type: "response.created" | "response.in_progress" | "response.completed" | "response.incomplete" | "response.failed"; response: ResponseObject }
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
