import { z } from "zod";
import { booleanField, integerInRange, samplingFields } from "./request-fields.js";

const promptMessage = "prompt must be a string or an array of one string (token arrays and batches are not supported)";

/** `POST /v1/completions`. Unknown fields are ignored. */
export const completionRequestSchema = z.object(
  {
    ...samplingFields,
    prompt: z
      .union([z.string(), z.array(z.string()).length(1, { error: promptMessage })], { error: promptMessage })
      .transform((prompt) => (typeof prompt === "string" ? prompt : (prompt[0] ?? ""))),
    echo: booleanField("echo").nullish(),
    logprobs: integerInRange("logprobs", 0, 5).nullish(),
    best_of: z.literal(1, { error: "best_of must be 1: only one choice per request is supported" }).nullish(),
  },
  { error: "The request body must be a JSON object." },
);

export type CompletionRequest = z.output<typeof completionRequestSchema>;
