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
 * One attempt of a call that the gateway abandoned (a retry on the same route or a failover to the next) before
 * anything reached the caller. The upstream may still bill it: metering records its tokens as provider cost only.
 */
export type FailedAttempt = {
  /** The route tried: `local` or a provider name. */
  route: string;
  /** The backend's model id, when the attempt got that far. */
  modelId?: string | undefined;
  /**
   * Tokens the attempt consumed as far as known: prompt tokens if the upstream reported them; generated tokens as
   * reported, else counted from the content it streamed (at least one per part). Both unknown (`undefined`) when it
   * failed before streaming anything.
   */
  usage: Usage;
};

/**
 * The one stream vocabulary of aiplus, from adapters through the gateway to the HTTP edge.
 * The API maps it to OpenAI chunks in one place (`api/openai/`).
 */
export type LanguageModelStreamPart =
  | { type: "stream-start"; warnings: CallWarning[] }
  /**
   * Which route served the call (`local` or a provider name) and the backend's model id. The gateway adds the
   * attempts it abandoned (retried or failed over) before this route, so metering can record their provider cost.
   */
  | { type: "response-metadata"; route: string; modelId?: string | undefined; failedAttempts?: FailedAttempt[] | undefined }
  /** The echoed prompt (legacy completions with `echo`), with prompt-token log-probabilities when asked. */
  | { type: "prompt-echo"; text: string; logprobs?: (TokenLogprob | null)[] | undefined }
  | { type: "text-delta"; delta: string; logprobs?: TokenLogprob[] | undefined }
  | { type: "tool-call"; index: number; toolCallId: string; toolName: string; input: string }
  /**
   * Cumulative usage so far, emitted by adapters that know it while streaming (the local engine does, after each
   * decoded token; an upstream adapter whenever the upstream sends usage). Metering checkpoints it so a crash bills
   * exactly what was delivered.
   */
  | { type: "progress"; usage: Usage }
  | { type: "finish"; finishReason: FinishReason; usage: Usage }
  | { type: "error"; error: unknown };
