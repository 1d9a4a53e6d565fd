import type { Usage } from "../../spec/index.js";
import type { WireUsage } from "./wire-types.js";

/** The engine's exact counts as OpenAI usage (an unknown count is reported as 0 on the wire only). */
export function toWireUsage(usage: Usage): WireUsage {
  const promptTokens = usage.inputTokens ?? 0;
  const completionTokens = usage.outputTokens ?? 0;
  const wire: WireUsage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  if (usage.imageInputTokens !== undefined) wire.prompt_tokens_details = { image_tokens: usage.imageInputTokens };
  return wire;
}
