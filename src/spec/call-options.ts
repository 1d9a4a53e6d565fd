import type { Prompt, ResponseFormat, ToolChoice, ToolDefinition } from "./messages.js";
import type { RequestGuard } from "./request-guard.js";

/** Sampling settings. Every field is optional; adapters apply their own defaults. */
export type SamplingOptions = {
  /** Defaults to 1 (OpenAI). 0 means greedy. */
  temperature?: number | undefined;
  topP?: number | undefined;
  topK?: number | undefined;
  minP?: number | undefined;
  seed?: number | undefined;
  presencePenalty?: number | undefined;
  frequencyPenalty?: number | undefined;
  /** Token id -> bias in [-100, 100]; -100 bans a token. */
  logitBias?: Record<number, number> | undefined;
  /** Up to 4 stop sequences; generation stops before them and they are not returned. */
  stop?: string[] | undefined;
  /** Maximum number of generated tokens. Undefined: until end of text or context is full. */
  maxTokens?: number | undefined;
};

/** Options of one language-model call. */
export type LanguageModelCallOptions = {
  prompt: Prompt;
  sampling: SamplingOptions;
  tools?: ToolDefinition[] | undefined;
  toolChoice?: ToolChoice | undefined;
  responseFormat?: ResponseFormat | undefined;
  /** Return log-probabilities of generated tokens with this many alternatives (0-20). */
  logprobs?: { topLogprobs: number } | undefined;
  /** Aborting stops decoding at once and frees the engine's sequence. */
  abortSignal?: AbortSignal | undefined;
  /**
   * Whether the caller hands parts on as they arrive (OpenAI `stream: true`). When false, nothing reaches the client
   * before the stream ends, so the gateway holds an upstream route's parts until it finishes and fails over to the
   * next route if it breaks off. Defaults to true.
   */
  stream?: boolean | undefined;
  /** Backend-specific options, namespaced by provider (`{"llama.cpp": {...}}`). */
  providerOptions?: Record<string, Record<string, unknown>> | undefined;
  /**
   * The guardrails of the request this call serves (its key's policy, its placeholder vault), applied by the gateway
   * on every route it tries. Left out: the gateway applies the default policy with a vault of this call alone.
   */
  guard?: RequestGuard | undefined;
};
