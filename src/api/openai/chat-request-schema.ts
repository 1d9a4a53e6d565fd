import { z } from "zod";
import { jsonSchemaField } from "../request/json-schema-field.js";
import { knowledgeOptionsSchema } from "../knowledge/knowledge-request-schemas.js";
import { booleanField, integerInRange, positiveInteger, samplingFields, serviceHintFields, unsupportedField } from "./request-fields.js";

const textPart = z.object({
  type: z.literal("text", { error: "only text content parts are supported" }),
  text: z.string({ error: "text must be a string" }),
});

/** Message content: a string or an array of text parts (joined). */
const content = z
  .union([z.string(), z.array(textPart)], { error: "content must be a string or an array of text parts" })
  .transform((value) => (typeof value === "string" ? value : value.map((part) => part.text).join("")));

const imagePart = z.object({
  type: z.literal("image_url"),
  image_url: z.object(
    {
      url: z.string({ error: "image_url.url must be a data: URL or an http(s) URL" }).min(1, { error: "image_url.url must not be empty" }),
      detail: z.enum(["auto", "low", "high"], { error: 'image_url.detail must be "auto", "low" or "high"' }).nullish(),
    },
    { error: "image_url must be an object with url" },
  ),
});

const userPart = z.discriminatedUnion("type", [textPart.extend({ type: z.literal("text") }), imagePart], {
  error: 'user content parts must be "text" or "image_url" parts',
});

/** An image part of a user message: its URL, which part it was and how much text came before it. */
export type WireImagePart = { url: string; partIndex: number; textOffset: number };

/** User content: a string, or text and image parts (the text joined, the images kept with their places). */
const userContent = z
  .union([z.string(), z.array(userPart)], { error: "content must be a string or an array of text and image_url parts" })
  .transform((value) => {
    if (typeof value === "string") return { text: value, images: [] as WireImagePart[] };
    let text = "";
    const images: WireImagePart[] = [];
    value.forEach((part, partIndex) => {
      if (part.type === "text") text += part.text;
      else images.push({ url: part.image_url.url, partIndex, textOffset: text.length });
    });
    return { text, images };
  });

const functionName = z.string({ error: "name must be a string" }).regex(/^[A-Za-z0-9_-]{1,64}$/, {
  error: "name must be 1-64 letters, digits, underscores or dashes",
});

const assistantToolCall = z.object({
  id: z.string({ error: "id must be a string" }),
  type: z.literal("function", { error: 'type must be "function"' }),
  function: z.object({ name: functionName, arguments: z.string({ error: "arguments must be a JSON string" }) }),
});

const message = z.discriminatedUnion(
  "role",
  [
    z.object({ role: z.enum(["system", "developer"]), content, name: z.string().nullish() }),
    z.object({ role: z.literal("user"), content: userContent, name: z.string().nullish() }),
    z.object({
      role: z.literal("assistant"),
      content: content.nullish(),
      tool_calls: z.array(assistantToolCall).nullish(),
      name: z.string().nullish(),
    }),
    z.object({ role: z.literal("tool"), content, tool_call_id: z.string({ error: "tool_call_id must be a string" }) }),
  ],
  { error: "role must be one of system, developer, user, assistant or tool" },
);

const tool = z.object({
  type: z.literal("function", { error: 'type must be "function"' }),
  function: z.object({
    name: functionName,
    description: z.string().nullish(),
    parameters: jsonSchemaField("parameters").nullish(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoice = z.union(
  [
    z.enum(["auto", "none", "required"]),
    z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) }),
  ],
  { error: 'tool_choice must be "auto", "none", "required" or {"type":"function","function":{"name":…}}' },
);

const responseFormat = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal("text") }),
    z.object({ type: z.literal("json_object") }),
    z.object({
      type: z.literal("json_schema"),
      json_schema: z.object({
        name: functionName,
        description: z.string().nullish(),
        schema: jsonSchemaField("schema").nullish(),
        strict: z.boolean().nullish(),
      }),
    }),
  ],
  { error: 'response_format.type must be "text", "json_object" or "json_schema"' },
);

/**
 * `POST /v1/chat/completions`: OpenAI's documented fields (service hints accepted without effect; audio, web search and
 * the deprecated `functions` refused with a reason), llama.cpp's `top_k` / `min_p`, and aiplus's knowledge fields.
 * Any other top-level field is a 400 `Unrecognized request argument supplied: <field>`.
 */
export const chatRequestSchema = z.strictObject(
  {
    ...samplingFields,
    ...serviceHintFields,
    modalities: z.array(z.literal("text", { error: 'modalities may only hold "text": audio output is not supported' }), { error: "modalities must be an array" }).nullish(),
    audio: unsupportedField("audio", "audio output is not supported"),
    web_search_options: unsupportedField("web_search_options", "web search is not supported"),
    functions: unsupportedField("functions", "it is deprecated; use tools"),
    function_call: unsupportedField("function_call", "it is deprecated; use tool_choice"),
    messages: z
      .array(message, { error: "messages must be an array of messages" })
      .min(1, { error: "messages must hold at least one message" }),
    max_completion_tokens: positiveInteger("max_completion_tokens").nullish(),
    logprobs: booleanField("logprobs").nullish(),
    top_logprobs: integerInRange("top_logprobs", 0, 20).nullish(),
    tools: z.array(tool, { error: "tools must be an array of function tools" }).max(128, { error: "tools may hold at most 128 tools" }).nullish(),
    tool_choice: toolChoice.nullish(),
    parallel_tool_calls: booleanField("parallel_tool_calls").nullish(),
    response_format: responseFormat.nullish(),
    /** aiplus extension: answer from these knowledge bases (ids or names) and return `citations`. */
    knowledge_bases: z.array(z.string({ error: "knowledge_bases must be an array of knowledge base names" })).max(16).nullish(),
    knowledge_options: knowledgeOptionsSchema.nullish(),
  },
  { error: "The request body must be a JSON object." },
);

export type ChatRequest = z.output<typeof chatRequestSchema>;
