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

const toolNames = z.array(z.string({ error: "tool names must be strings" }).min(1).max(128), { error: "must be an array of tool names" }).max(256);

/** An MCP server's tools: a registered server by `server_label`, or an ad-hoc one at `server_url` (OpenAI's shape). */
const mcpTool = z.strictObject({
  type: z.literal("mcp"),
  server_label: z.string({ error: "server_label must be a string" }).regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]|_(?!_|$)){0,31}$/, {
    error: "server_label must be 1-32 characters of letters, digits, '_' or '-', without '__' or a trailing '_'",
  }),
  server_url: z.string({ error: "server_url must be a string" }).min(1).max(2048).nullish(),
  server_description: z.string({ error: "server_description must be a string" }).max(1024).nullish(),
  allowed_tools: z.union([toolNames, z.strictObject({ tool_names: toolNames })], { error: "allowed_tools must be an array of tool names" }).nullish(),
  require_approval: z
    .union([z.enum(["always", "never"]), z.strictObject({ never: z.strictObject({ tool_names: toolNames }) })], {
      error: 'require_approval must be "always", "never" or {"never":{"tool_names":[…]}}',
    })
    .nullish(),
  headers: z.record(z.string(), z.string({ error: "header values must be strings" }), { error: "headers must be an object of strings" }).nullish(),
});

/** Knowledge search over aiplus knowledge bases: `vector_store_ids` are knowledge base ids or names. */
const fileSearchTool = z.strictObject({
  type: z.literal("file_search"),
  vector_store_ids: z
    .array(z.string({ error: "vector_store_ids must be knowledge base ids or names" }).min(1), { error: "vector_store_ids must be an array of knowledge base ids or names" })
    .min(1, { error: "vector_store_ids must name at least one knowledge base" })
    .max(16, { error: "vector_store_ids may name at most 16 knowledge bases" }),
  max_num_results: z.number({ error: "max_num_results must be an integer from 1 to 50" }).int({ error: "max_num_results must be an integer from 1 to 50" }).min(1).max(50).nullish(),
});

/** Hosted and other tool types OpenAI defines; each needs a later capability (web search, computer use, images). */
const laterToolTypes = ["web_search", "web_search_preview", "computer_use_preview", "code_interpreter", "image_generation", "local_shell", "shell", "custom", "apply_patch"];

const tool = z.discriminatedUnion("type", [functionTool, serverTool, mcpTool, fileSearchTool, ...laterToolTypes.map((type) => notSupportedYet(type, "tools"))], {
  error: 'tool type must be "function", "server_tool", "mcp" or "file_search"',
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
    /** Optional when `agent` names an agent (its model runs the response). */
    model: z.string({ error: "model must be a string naming a model" }).min(1, { error: "model must not be empty" }).nullish(),
    /** aiplus extension: run the response as this agent (its id or name; its latest version unless `version`). */
    agent: z
      .strictObject(
        {
          id: z.string({ error: "agent.id must be a string (an agent id or name)" }).min(1, { error: "agent.id must not be empty" }),
          version: positiveInteger("version").nullish(),
        },
        { error: "agent must be an object {id, version?}" },
      )
      .nullish(),
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
