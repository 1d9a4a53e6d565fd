import { z } from "zod";
import { notSupportedYet } from "./not-supported-yet.js";

/** A function name as OpenAI accepts it. */
export const functionName = z.string({ error: "name must be a string" }).regex(/^[A-Za-z0-9_-]{1,64}$/, {
  error: "name must be 1-64 letters, digits, underscores or dashes",
});

const itemStatus = z.enum(["in_progress", "completed", "incomplete"], { error: "status must be in_progress, completed or incomplete" });

const inputText = z.strictObject({ type: z.literal("input_text"), text: z.string({ error: "text must be a string" }) });
const outputText = z.strictObject({
  type: z.literal("output_text"),
  text: z.string({ error: "text must be a string" }),
  annotations: z.array(z.unknown()).optional(),
  logprobs: z.array(z.unknown()).optional(),
});

const contentPart = z.discriminatedUnion(
  "type",
  [inputText, outputText, ...["input_image", "input_file", "input_audio", "refusal"].map((type) => notSupportedYet(type, "content parts"))],
  { error: "content part type must be input_text or output_text" },
);

const messageItem = z.strictObject({
  type: z.literal("message"),
  id: z.string().optional(),
  status: itemStatus.optional(),
  role: z.enum(["user", "system", "developer", "assistant"], { error: "role must be user, system, developer or assistant" }),
  content: z.union([z.string(), z.array(contentPart)], { error: "content must be a string or an array of content parts" }),
});

const functionCallItem = z.strictObject({
  type: z.literal("function_call"),
  id: z.string().optional(),
  status: itemStatus.optional(),
  call_id: z.string({ error: "call_id must be a string" }).min(1, { error: "call_id must not be empty" }),
  name: functionName,
  arguments: z.string({ error: "arguments must be a JSON string" }),
});

const functionCallOutputItem = z.strictObject({
  type: z.literal("function_call_output"),
  id: z.string().optional(),
  status: itemStatus.optional(),
  call_id: z.string({ error: "call_id must be a string" }).min(1, { error: "call_id must not be empty" }),
  output: z.union([z.string(), z.array(inputText)], { error: "output must be a string or an array of input_text parts" }),
});

const approvalResponseItem = z.strictObject({
  type: z.literal("mcp_approval_response"),
  id: z.string().nullish(),
  approval_request_id: z.string({ error: "approval_request_id must be a string" }).min(1, { error: "approval_request_id must not be empty" }),
  approve: z.boolean({ error: "approve must be a boolean" }),
  reason: z.string({ error: "reason must be a string" }).max(1000, { error: "reason must be at most 1000 characters" }).nullish(),
});

/** Item types OpenAI defines whose support comes with later capabilities (reasoning, MCP, hosted tools). */
const laterItemTypes = [
  "reasoning",
  "item_reference",
  "mcp_call",
  "mcp_list_tools",
  "mcp_approval_request",
  "file_search_call",
  "web_search_call",
  "computer_call",
  "computer_call_output",
  "image_generation_call",
  "code_interpreter_call",
  "local_shell_call",
  "local_shell_call_output",
  "custom_tool_call",
  "custom_tool_call_output",
];

/** One request input item; a message may omit `type` (OpenAI's "easy input message"). */
export const inputItemSchema = z.preprocess(
  (value) => (typeof value === "object" && value !== null && !("type" in value) && "role" in value ? { ...value, type: "message" } : value),
  z.discriminatedUnion("type", [messageItem, functionCallItem, functionCallOutputItem, approvalResponseItem, ...laterItemTypes.map((type) => notSupportedYet(type, "input items"))], {
    error: "item type must be message, function_call, function_call_output or mcp_approval_response",
  }),
);

/** A parsed request input item, before it gets an id. */
export type InputItem = z.output<typeof inputItemSchema>;
