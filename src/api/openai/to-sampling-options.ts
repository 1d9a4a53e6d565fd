import type { SamplingOptions } from "../../spec/index.js";

type SamplingRequest = {
  temperature?: number | null | undefined;
  top_p?: number | null | undefined;
  top_k?: number | null | undefined;
  min_p?: number | null | undefined;
  seed?: number | null | undefined;
  presence_penalty?: number | null | undefined;
  frequency_penalty?: number | null | undefined;
  logit_bias?: Record<string, number> | null | undefined;
  stop?: string[] | null | undefined;
};

/** OpenAI sampling fields (already validated) as SamplingOptions; `null` means unset. */
export function toSamplingOptions(request: SamplingRequest, maxTokens: number | undefined): SamplingOptions {
  return {
    temperature: request.temperature ?? undefined,
    topP: request.top_p ?? undefined,
    topK: request.top_k ?? undefined,
    minP: request.min_p ?? undefined,
    seed: request.seed ?? undefined,
    presencePenalty: request.presence_penalty ?? undefined,
    frequencyPenalty: request.frequency_penalty ?? undefined,
    logitBias: request.logit_bias ? Object.fromEntries(Object.entries(request.logit_bias).map(([token, bias]) => [Number(token), bias])) : undefined,
    stop: request.stop && request.stop.length > 0 ? request.stop : undefined,
    maxTokens,
  };
}
