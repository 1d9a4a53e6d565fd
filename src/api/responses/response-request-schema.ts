import { z } from "zod";
import { functionName, inputItemSchema, notSupportedYet } from "../../responses/index.js";
import { booleanField, numberInRange, positiveInteger } from "../openai/request-fields.js";
import { jsonSchemaField } from "../request/json-schema-field.js";

const functionTool = z.strictObject({
  type: z.literal("function"),
  name: functionName,
  description: z.string({ error: "description must be a string" }).nullish(),
  parameters: jsonSchemaField("parameters").nullish(),
  strict: booleanField("strict").nullish(),
});

/** A registered server tool the run executes (aiplus extension). */
const serverTool = z.strictObject({
  type: z.literal("server_tool"),
  name: functionName,
  require_approval: z.enum(["always", "default"], { error: 'require_approval must be "always" or "default"' }).nullish(),
});

/** Hosted and other tool types OpenAI defines; each needs a later capability (MCP, retrieval, sandboxes). */
const laterToolTypes = ["mcp", "file_search", "web_search", "web_search_preview", "computer_use_preview", "code_interpreter", "image_generation", "local_shell", "shell", "custom", "apply_patch"];

const tool = z.discriminatedUnion("type", [functionTool, serverTool, ...laterToolTypes.map((type) => notSupportedYet(type, "tools"))], {
  error: 'tool type must be "function" or "server_tool"',
});

const toolChoice = z.union([z.enum(["auto", "none", "required"]), z.strictObject({ type: z.literal("function"), name: functionName })], {
  error: 'tool_choice must be "auto", "none", "required" or {"type":"function","name":…}',
});

const textFormat = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("text") }),
    z.strictObject({ type: z.literal("json_object") }),
    z.strictObject({
      type: z.literal("json_schema"),
      name: functionName,
      schema: jsonSchemaField("schema"),
      description: z.string({ error: "description must be a string" }).nullish(),
      strict: booleanField("strict").nullish(),
    }),
  ],
  { error: 'text.format.type must be "text", "json_object" or "json_schema"' },
);

const metadata = z
  .record(
    z.string().max(64, { error: "metadata keys must be at most 64 characters" }),
    z.string({ error: "metadata values must be strings" }).max(512, { error: "metadata values must be at most 512 characters" }),
    { error: "metadata must be an object of strings" },
  )
  .refine((value) => Object.keys(value).length <= 16, { error: "metadata may hold at most 16 pairs" });

/** `POST /v1/responses`. Unknown fields are a 400 naming the field; fields aiplus does not implement yet say so. */
export const responseRequestSchema = z.strictObject(
  {
    model: z.string({ error: "model must be a string naming a model" }).min(1, { error: "model must not be empty" }),
    input: z.union([z.string(), z.array(inputItemSchema)], { error: "input must be a string or an array of input items" }),
    instructions: z.string({ error: "instructions must be a string" }).nullish(),
    tools: z.array(tool, { error: "tools must be an array of tools" }).max(128, { error: "tools may hold at most 128 tools" }).nullish(),
    tool_choice: toolChoice.nullish(),
    text: z.strictObject({ format: textFormat.nullish() }, { error: "text must be an object" }).nullish(),
    temperature: numberInRange("temperature", 0, 2).nullish(),
    top_p: numberInRange("top_p", 0, 1).nullish(),
    max_output_tokens: positiveInteger("max_output_tokens").nullish(),
    metadata: metadata.nullish(),
    store: booleanField("store").nullish(),
    previous_response_id: z.string({ error: "previous_response_id must be a string" }).min(1, { error: "previous_response_id must not be empty" }).nullish(),
    stream: booleanField("stream").nullish(),
    parallel_tool_calls: booleanField("parallel_tool_calls").nullish(),
    user: z.string({ error: "user must be a string" }).nullish(),
    background: booleanField("background").nullish(),
    max_tool_calls: positiveInteger("max_tool_calls").nullish(),
  },
  { error: "The request body must be a JSON object." },
);

export type ResponseRequest = z.output<typeof responseRequestSchema>;
