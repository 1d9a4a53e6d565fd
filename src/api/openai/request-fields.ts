import { z } from "zod";

/** A finite number in [min, max]; the message names the parameter. */
export function numberInRange(name: string, min: number, max: number) {
  const message = `${name} must be a number from ${min} to ${max}`;
  return z.number({ error: message }).min(min, { error: message }).max(max, { error: message });
}

/** An integer in [min, max]; the message names the parameter. */
export function integerInRange(name: string, min: number, max: number) {
  const message = `${name} must be an integer from ${min} to ${max}`;
  return z.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message });
}

/** A positive (safe) integer; the message names the parameter. */
export function positiveInteger(name: string) {
  const message = `${name} must be a positive integer`;
  return z.number({ error: message }).int({ error: message }).positive({ error: message });
}

/** A boolean; the message names the parameter. */
export function booleanField(name: string) {
  return z.boolean({ error: `${name} must be a boolean` });
}

/** `stop`: one string or up to 4. */
export const stopField = z
  .union([z.string(), z.array(z.string())], { error: "stop must be a string or an array of up to 4 strings" })
  .refine((stop) => typeof stop === "string" || stop.length <= 4, { error: "stop must be a string or an array of up to 4 strings" })
  .transform((stop) => (typeof stop === "string" ? [stop] : stop));

/** `logit_bias`: token id (as a string key) → bias in [-100, 100]. */
export const logitBiasField = z.record(
  z.string().regex(/^\d+$/, { error: "logit_bias keys must be token ids (decimal strings)" }),
  numberInRange("logit_bias values", -100, 100),
  { error: "logit_bias must be an object mapping token ids to numbers from -100 to 100" },
);

/** Fields shared by chat and legacy completions. `null` means "not set" (OpenAI clients send it). */
export const samplingFields = {
  model: z.string({ error: "model must be a string naming a model" }).min(1, { error: "model must not be empty" }),
  temperature: numberInRange("temperature", 0, 2).nullish(),
  top_p: numberInRange("top_p", 0, 1).nullish(),
  top_k: integerInRange("top_k", 0, 1_000_000).nullish(),
  min_p: numberInRange("min_p", 0, 1).nullish(),
  max_tokens: positiveInteger("max_tokens").nullish(),
  stop: stopField.nullish(),
  seed: z.number({ error: "seed must be an integer" }).int({ error: "seed must be an integer" }).nullish(),
  presence_penalty: numberInRange("presence_penalty", -2, 2).nullish(),
  frequency_penalty: numberInRange("frequency_penalty", -2, 2).nullish(),
  logit_bias: logitBiasField.nullish(),
  stream: booleanField("stream").nullish(),
  stream_options: z.object({ include_usage: booleanField("include_usage").nullish() }, { error: "stream_options must be an object" }).nullish(),
  n: z.literal(1, { error: "n must be 1: only one choice per request is supported" }).nullish(),
  user: z.string({ error: "user must be a string" }).nullish(),
};

/** A documented OpenAI field aiplus cannot honour: accepted when left out or `null`, otherwise a 400 that says why. */
export function unsupportedField(name: string, reason: string) {
  return z.null({ error: `${name} is not supported: ${reason}` }).optional();
}

/**
 * Documented OpenAI chat fields that only steer OpenAI's own service (storage, billing tier, caching, reasoning
 * models); they are accepted (type-checked) and have no effect on aiplus's models.
 */
export const serviceHintFields = {
  store: booleanField("store").nullish(),
  metadata: z.record(z.string(), z.string(), { error: "metadata must be an object of strings" }).nullish(),
  service_tier: z.string({ error: "service_tier must be a string" }).nullish(),
  reasoning_effort: z.string({ error: "reasoning_effort must be a string" }).nullish(),
  verbosity: z.string({ error: "verbosity must be a string" }).nullish(),
  prompt_cache_key: z.string({ error: "prompt_cache_key must be a string" }).nullish(),
  safety_identifier: z.string({ error: "safety_identifier must be a string" }).nullish(),
  prediction: z.record(z.string(), z.unknown(), { error: "prediction must be an object" }).nullish(),
};
