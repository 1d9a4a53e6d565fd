import { z } from "zod";

/**
 * Loose schemas of what OpenAI-compatible upstreams send: only the fields aiplus reads, unknown
 * fields allowed, optional fields nullish (upstreams differ in `null` versus absent).
 */

export const upstreamUsageSchema = z.looseObject({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().nullish() }).nullish(),
});
export type UpstreamUsage = z.infer<typeof upstreamUsageSchema>;

const upstreamErrorSchema = z.looseObject({
  message: z.string().nullish(),
  type: z.string().nullish(),
  code: z.union([z.string(), z.number()]).nullish(),
});

/** `{ "error": { "message": … } }` bodies of failed requests, and error chunks some upstreams stream. */
export const upstreamErrorBodySchema = z.looseObject({ error: z.union([upstreamErrorSchema, z.string()]) });

const chatTopLogprobSchema = z.looseObject({
  token: z.string(),
  logprob: z.number(),
  bytes: z.array(z.number()).nullish(),
});

export const chatLogprobsSchema = z.looseObject({
  content: z.array(chatTopLogprobSchema.extend({ top_logprobs: z.array(chatTopLogprobSchema).nullish() })).nullish(),
});
export type ChatLogprobs = z.infer<typeof chatLogprobsSchema>;

export const completionLogprobsSchema = z.looseObject({
  tokens: z.array(z.string()).nullish(),
  token_logprobs: z.array(z.number().nullable()).nullish(),
  top_logprobs: z.array(z.record(z.string(), z.number()).nullable()).nullish(),
});
export type CompletionLogprobs = z.infer<typeof completionLogprobsSchema>;

export const toolCallDeltaSchema = z.looseObject({
  index: z.number().nullish(),
  id: z.string().nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});
export type ToolCallDelta = z.infer<typeof toolCallDeltaSchema>;

function streamChunkSchemaWith<LOGPROBS extends z.ZodType>(logprobsSchema: LOGPROBS) {
  const choiceSchema = z.looseObject({
    index: z.number().nullish(),
    delta: z.looseObject({ content: z.string().nullish(), tool_calls: z.array(toolCallDeltaSchema).nullish() }).nullish(),
    text: z.string().nullish(),
    logprobs: logprobsSchema.nullish(),
    finish_reason: z.string().nullish(),
  });
  return z.looseObject({
    model: z.string().nullish(),
    choices: z.array(choiceSchema).nullish(),
    usage: upstreamUsageSchema.nullish(),
    error: z.union([upstreamErrorSchema, z.string()]).nullish(),
  });
}

/** One `chat.completion.chunk` (`choices[].delta`). */
export const chatChunkSchema = streamChunkSchemaWith(chatLogprobsSchema);
export type ChatChunk = z.infer<typeof chatChunkSchema>;

/** One legacy `text_completion` chunk (`choices[].text`). */
export const completionChunkSchema = streamChunkSchemaWith(completionLogprobsSchema);
export type CompletionChunk = z.infer<typeof completionChunkSchema>;

export const embeddingResponseSchema = z.looseObject({
  data: z.array(z.looseObject({ index: z.number().nullish(), embedding: z.array(z.number()) })),
  usage: upstreamUsageSchema.nullish(),
});
