import type { FinishReason, Usage } from "./usage.js";

/** Log-probability of one token, with the most likely alternatives at that position. */
export type TokenLogprob = {
  token: string;
  bytes: number[];
  logprob: number;
  topLogprobs: { token: string; bytes: number[]; logprob: number }[];
};

/** A typed warning: a setting the model could not honour. Surfaced in logs, never silently dropped. */
export type CallWarning =
  | { type: "unsupported-setting"; setting: string; details?: string | undefined }
  | { type: "other"; message: string };

/**
 * The one stream vocabulary of aiplus, from adapters through the gateway to the HTTP edge.
 * The API maps it to OpenAI chunks in one place (`api/openai/`).
 */
export type LanguageModelStreamPart =
  | { type: "stream-start"; warnings: CallWarning[] }
  /** Which route served the call (`local` or a provider name) and the backend's model id. */
  | { type: "response-metadata"; route: string; modelId?: string | undefined }
  /** The echoed prompt (legacy completions with `echo`), with prompt-token log-probabilities when asked. */
  | { type: "prompt-echo"; text: string; logprobs?: (TokenLogprob | null)[] | undefined }
  | { type: "text-delta"; delta: string; logprobs?: TokenLogprob[] | undefined }
  | { type: "tool-call"; index: number; toolCallId: string; toolName: string; input: string }
  /**
   * Cumulative usage so far, emitted by adapters that know it while streaming (the local engine does,
   * after each decoded token). Metering checkpoints it so a crash bills exactly what was delivered.
   */
  | { type: "progress"; usage: Usage }
  | { type: "finish"; finishReason: FinishReason; usage: Usage }
  | { type: "error"; error: unknown };
