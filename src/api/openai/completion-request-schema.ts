import { z } from "zod";
import { booleanField, integerInRange, samplingFields, unsupportedField } from "./request-fields.js";

const promptMessage = "prompt must be a string or an array of one string (token arrays and batches are not supported)";

/** `POST /v1/completions`: OpenAI's documented fields plus llama.cpp's `top_k` / `min_p`; any other field is a 400. */
export const completionRequestSchema = z.strictObject(
  {
    ...samplingFields,
    suffix: unsupportedField("suffix", "insertion (text after the completion) is not supported"),
    prompt: z
      .union([z.string(), z.array(z.string()).length(1, { error: promptMessage })], { error: promptMessage })
      .transform((prompt) => (typeof prompt === "string" ? prompt : (prompt[0] ?? ""))),
    echo: booleanField("echo").nullish(),
    logprobs: integerInRange("logprobs", 0, 5).nullish(),
    max_tokens: z
      .number({ error: "max_tokens must be a non-negative integer" })
      .int({ error: "max_tokens must be a non-negative integer" })
      .min(0, { error: "max_tokens must be a non-negative integer" })
      .nullish(),
    best_of: z.literal(1, { error: "best_of must be 1: only one choice per request is supported" }).nullish(),
  },
  { error: "The request body must be a JSON object." },
).refine((request) => request.max_tokens !== 0 || request.echo === true, {
  error: "max_tokens 0 is only allowed with echo (prompt scoring)",
  path: ["max_tokens"],
});

export type CompletionRequest = z.output<typeof completionRequestSchema>;
