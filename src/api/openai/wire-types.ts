/** The OpenAI response shapes aiplus emits (only the fields it fills). */

export type WireUsage = {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Only for prompts with images: how many of `prompt_tokens` encode them. */
  prompt_tokens_details?: { image_tokens: number };
};

export type WireTopLogprob = { token: string; logprob: number; bytes: number[] | null };
export type WireTokenLogprob = WireTopLogprob & { top_logprobs: WireTopLogprob[] };
export type WireChatLogprobs = { content: WireTokenLogprob[] | null; refusal: null };

export type WireToolCall = { id: string; type: "function"; function: { name: string; arguments: string } };
export type WireToolCallDelta = { index: number } & WireToolCall;

export type WireFinishReason = "stop" | "length" | "tool_calls" | "content_filter";

export type ChatCompletionChunk = {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  system_fingerprint: null;
  choices: {
    index: 0;
    delta: { role?: "assistant"; content?: string; tool_calls?: WireToolCallDelta[] };
    logprobs: WireChatLogprobs | null;
    finish_reason: WireFinishReason | null;
  }[];
  usage?: WireUsage | null;
};

export type ChatCompletion = {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  system_fingerprint: null;
  choices: {
    index: 0;
    message: { role: "assistant"; content: string | null; refusal: null; tool_calls?: WireToolCall[] };
    logprobs: WireChatLogprobs | null;
    finish_reason: WireFinishReason;
  }[];
  usage: WireUsage;
};

export type WireCompletionLogprobs = {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs: (Record<string, number> | null)[];
  text_offset: number[];
};

export type TextCompletion = {
  id: string;
  object: "text_completion";
  created: number;
  model: string;
  system_fingerprint: null;
  choices: { index: 0; text: string; logprobs: WireCompletionLogprobs | null; finish_reason: WireFinishReason | null }[];
  usage?: WireUsage | null;
};

/** What a stream sends when it fails after the first byte. */
export type StreamErrorEvent = { error: { message: string; type: string; param: string | null; code: string | null } };
