/**
 * Token usage normalised at the adapter edge. Metering reads only this type.
 * `undefined` means "unknown" (e.g. an upstream that sent no usage) and is never replaced by a fake 0.
 */
export type Usage = {
  /** Prompt tokens processed (including any chat template tokens). */
  inputTokens: number | undefined;
  /** Tokens generated. */
  outputTokens: number | undefined;
  /** Prompt tokens served from a cache (KV reuse or provider cache), when known. */
  cachedInputTokens?: number | undefined;
  /** Prompt tokens that encode images (included in `inputTokens`), when the prompt had images. */
  imageInputTokens?: number | undefined;
  /** Provider-specific usage payload, kept for audit. */
  raw?: unknown;
};

/** Why generation stopped: a unified value plus the provider's own string. */
export type FinishReason = {
  unified: "stop" | "length" | "tool-calls" | "content-filter" | "cancelled" | "error" | "other";
  raw?: string | undefined;
};
