import { z } from "zod";
import { InternalError } from "../spec/index.js";
import type { ResponseItem, ResponseObject } from "./types.js";

const status = z.enum(["in_progress", "completed", "incomplete"]);
const contentPart = z.discriminatedUnion("type", [
  z.object({ type: z.literal("input_text"), text: z.string() }),
  z.object({ type: z.literal("output_text"), text: z.string(), annotations: z.array(z.unknown()) }),
]);

/** A stored response item (`response_items.item`). */
export const storedItemSchema: z.ZodType<ResponseItem> = z.discriminatedUnion("type", [
  z.object({ id: z.string(), type: z.literal("message"), role: z.enum(["user", "system", "developer", "assistant"]), status, content: z.array(contentPart) }),
  z.object({ id: z.string(), type: z.literal("function_call"), call_id: z.string(), name: z.string(), arguments: z.string(), status }),
  z.object({ id: z.string(), type: z.literal("function_call_output"), call_id: z.string(), output: z.string(), status }),
  z.object({
    id: z.string(),
    type: z.literal("mcp_call"),
    server_label: z.string(),
    name: z.string(),
    arguments: z.string(),
    output: z.string().nullable(),
    error: z.string().nullable(),
    approval_request_id: z.string().nullable(),
    status: z.enum(["completed", "failed"]),
  }),
  z.object({ id: z.string(), type: z.literal("mcp_approval_request"), server_label: z.string(), name: z.string(), arguments: z.string() }),
  z.object({ id: z.string(), type: z.literal("mcp_approval_response"), approval_request_id: z.string(), approve: z.boolean(), reason: z.string().nullable() }),
  z.object({ id: z.string(), type: z.literal("plan"), agent: z.string(), revision: z.number(), content: z.string(), status: z.literal("completed") }),
  z.object({
    id: z.string(),
    type: z.literal("mcp_list_tools"),
    server_label: z.string(),
    tools: z.array(z.object({ name: z.string(), description: z.string().nullable(), input_schema: z.record(z.string(), z.unknown()), annotations: z.null() })),
    error: z.string().nullable(),
  }),
  z.object({
    id: z.string(),
    type: z.literal("file_search_call"),
    status: z.enum(["in_progress", "searching", "completed", "failed"]),
    queries: z.array(z.string()),
    results: z
      .array(z.object({ file_id: z.string(), filename: z.string(), score: z.number(), text: z.string(), attributes: z.object({ knowledge_base: z.string() }) }))
      .nullable(),
  }),
]);

/** A stored Response object (`responses.response`): our own JSON, checked for its identity fields only. */
export const storedResponseSchema = z
  .looseObject({ id: z.string(), object: z.literal("response"), status: z.string(), output: z.array(z.unknown()) })
  .transform((value) => value as unknown as ResponseObject);

/** Decodes a JSON column and validates it; a malformed row is an InternalError naming the column. */
export function parseJsonColumn<T>(text: string, schema: z.ZodType<T, unknown>, column: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InternalError({ message: `stored ${column} is not valid JSON`, cause: error });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InternalError({ message: `stored ${column} is malformed: ${parsed.error.message}` });
  return parsed.data;
}
