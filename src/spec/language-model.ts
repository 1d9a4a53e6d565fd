import type { LanguageModelCallOptions } from "./call-options.js";
import type { LanguageModelStreamPart } from "./stream-part.js";

/** Static facts about a model that callers (budgets, validation) need before a call. */
export type LanguageModelInfo = {
  /** Context window in tokens, when known. */
  contextLength?: number | undefined;
};

/**
 * A language model: the local llama.cpp engine or an upstream OpenAI-compatible route.
 * Capabilities (gateway, agents, RAG, evals) depend on this interface, never on an adapter.
 */
export interface LanguageModel {
  readonly specificationVersion: "v1";
  /** Backend name, e.g. `llama.cpp` or `openai-compatible`. */
  readonly provider: string;
  /** The model id as the backend knows it. */
  readonly modelId: string;
  /**
   * Starts generation. Resolves once the backend accepted the call (for upstreams: after the
   * response headers), so failures before the first byte reject and can be retried elsewhere.
   * The stream always ends with exactly one `finish` or `error` part.
   */
  doStream(options: LanguageModelCallOptions): Promise<{ stream: ReadableStream<LanguageModelStreamPart> }>;
  /** Exact prompt token count where the backend can tell cheaply (local tokenizer); else undefined. */
  countPromptTokens?(options: LanguageModelCallOptions): Promise<number | undefined>;
  info?(): Promise<LanguageModelInfo>;
}
