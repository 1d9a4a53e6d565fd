/**
 * Contracts of the evaluation center. Phase 2 implements the two backends on the local runtime
 * (node-llama-cpp, in-process, sharing each item's common prefix across its choices) and on any
 * OpenAI-compatible `/v1/completions` that returns prompt log-probabilities (`echo` + `logprobs`).
 */

/** How log-likelihood tasks are built and scored; chosen per run and recorded with it. */
export type ScoringConvention = "llama.cpp" | "lm-eval";

/** Report dimensions (CAICT "Fangsheng" style). */
export type DimensionTag = "general" | "industry" | "application" | "safety";

/** Capability tags; free-form strings are allowed for custom tasks. */
export type CapabilityTag = "knowledge" | "reasoning" | "math" | "code" | "language" | "truthfulness" | (string & {});

export type TaskTags = {
  dimension: DimensionTag;
  capabilities: CapabilityTag[];
};

export type TokenizeOptions = {
  /**
   * Add the model's BOS token when the model asks for one (llama.cpp `add_special=true`: the GGUF
   * `tokenizer.ggml.add_bos_token` decides). `false` never adds it. Special-token text is never parsed.
   */
  addBos: boolean;
};

/** Score `tokens[from..]`, each given all tokens before it. `from` must be at least 1. */
export type TokenScoreRequest = {
  tokens: readonly number[];
  from: number;
};

export type ScoreTokensOptions = {
  signal?: AbortSignal | undefined;
  /** Told the route of each answer (an upstream provider's name), when the backend calls upstreams. */
  onRoute?: ((route: string) => void) | undefined;
  /** The ledger request (usage record) the call is billed to: guardrail decisions about its texts are recorded against it. */
  requestId?: string | undefined;
};

/**
 * Prompt log-probabilities. Implementations should evaluate the requests of one call together
 * (they usually share a long prefix: one item's choices) and may reorder internally.
 */
export interface LoglikelihoodBackend {
  /** Stable description recorded with a run, e.g. `local:stories260K@sha256:…` or `openai:https://…/v1#model`. */
  readonly description: string;
  tokenize(text: string, options: TokenizeOptions): Promise<number[]>;
  /**
   * For each request, `result[r][j]` is the natural-log probability of `tokens[from + j]` given
   * `tokens[0 .. from + j - 1]`, for every j in `0 .. tokens.length - from - 1`.
   */
  scoreTokens(requests: readonly TokenScoreRequest[], options?: ScoreTokensOptions): Promise<number[][]>;
  /**
   * Token used as the whole context when a context is empty (lm-eval `prefix_token_id`: BOS, else EOS).
   * When absent, `tokenize("", { addBos: true })` is used.
   */
  readonly prefixTokenId?: number | undefined;
  /**
   * Items an eval run scores at once by default on this backend (its calls in flight share batches, like
   * llama-perplexity's tasks); undefined: one at a time.
   */
  readonly itemsInFlight?: number | undefined;
}

export type GenerateOptions = {
  /** Upper bound on generated tokens. */
  maxTokens: number;
  /** Generation stops before the first of these strings; the returned text excludes it. */
  stop: readonly string[];
  /** Always 0 (greedy) for the built-in generative tasks. */
  temperature: number;
  signal?: AbortSignal | undefined;
};

/** Plain-text completion (no chat template), greedy for the built-in tasks. */
export interface GenerationBackend {
  readonly description: string;
  generate(prompt: string, options: GenerateOptions): Promise<string>;
}

/** A metric value with its uncertainty. */
export type MetricSummary = {
  name: string;
  value: number;
  /** Sample standard error of the mean (lm-eval `mean_stderr`); `undefined` when n < 2. */
  standardError: number | undefined;
  /** Bootstrap 95% percentile interval of the mean; `undefined` when not computed. */
  interval: readonly [number, number] | undefined;
  count: number;
};
