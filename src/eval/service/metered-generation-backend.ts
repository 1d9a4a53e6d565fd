import { failedAttemptsOf, type ResolvedLanguageModel } from "../../gateway/index.js";
import { failedAttemptUsage } from "../../maas/index.js";
import type { LanguageModelCallOptions, RequestGuard, Usage } from "../../spec/index.js";
import type { GenerateOptions, GenerationBackend } from "../types.js";
import type { EvalMeter } from "./eval-meter.js";

export type MeteredGenerationOptions = {
  meter: EvalMeter;
  /** The public model name (price book, allowed models, ledger). */
  model: string;
  /** The key billed; undefined for the local operator. */
  keyId: string | undefined;
  /** The guardrails of each generation (the key's policy, a vault per item); left out: the gateway's fallback. */
  guardFor?: (() => Promise<RequestGuard>) | undefined;
};

/**
 * A `GenerationBackend` over a gateway model (local or a provider route), one ledger entry per generation. When the
 * prompt and the token budget do not fit the model's context, the budget shrinks to what is left, keeping at least
 * half the context (or the whole budget when smaller) for the answer by cutting the prompt from the left — lm-eval
 * left-truncates long contexts the same way. Stop sequences beyond the engine's 4 are applied here.
 */
export function meteredGenerationBackend(resolved: ResolvedLanguageModel, options: MeteredGenerationOptions): GenerationBackend {
  const { model } = resolved;
  const textOptions = (text: string): LanguageModelCallOptions => ({ prompt: { type: "text", text }, sampling: {} });
  const countTokens = async (text: string): Promise<number> => (await model.countPromptTokens?.(textOptions(text))) ?? Buffer.byteLength(text, "utf8") + 2;

  return {
    description: `${model.provider}:${options.model}`,
    async generate(prompt: string, generateOptions: GenerateOptions): Promise<string> {
      const fitted = await fitToContext(prompt, generateOptions.maxTokens, resolved.contextLength, countTokens);
      const entry = await options.meter({ keyId: options.keyId, model: options.model, maxInputTokens: fitted.promptTokens, maxOutputTokens: fitted.maxTokens });
      let route: string | undefined;
      let failedAttempts: Usage[] | undefined;
      let usage: Usage = { inputTokens: fitted.promptTokens, outputTokens: undefined };
      let text = "";
      try {
        const { stream } = await model.doStream({
          prompt: { type: "text", text: fitted.prompt },
          sampling: { temperature: generateOptions.temperature, maxTokens: fitted.maxTokens, stop: generateOptions.stop.slice(0, 4) },
          abortSignal: generateOptions.signal,
          stream: false, // read to the end before use: the gateway may fail over after a cut stream
          // A vault per item; its decisions are recorded against this item's ledger entry.
          guard: boundToRequest(await options.guardFor?.(), entry.id),
        });
        const reader = stream.getReader();
        for (let next = await reader.read(); !next.done; next = await reader.read()) {
          const part = next.value;
          if (part.type === "text-delta") text += part.delta;
          else if (part.type === "finish") usage = part.usage;
          else if (part.type === "error") throw part.error;
          else if (part.type === "response-metadata") {
            route = part.route;
            // Attempts the gateway abandoned before this route: provider cost only.
            if (part.failedAttempts) failedAttempts = failedAttemptUsage(part.failedAttempts, fitted.promptTokens);
          }
        }
        await entry.settle({ usage, route, status: "ok", failedAttempts });
      } catch (error) {
        await entry.settle({
          usage: { inputTokens: usage.inputTokens, outputTokens: undefined },
          route,
          status: generateOptions.signal?.aborted ? "cancelled" : "error",
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          failedAttempts: failedAttempts ?? failedAttemptUsage(failedAttemptsOf(error), fitted.promptTokens),
        });
        throw error;
      }
      let end = text.length;
      for (const sequence of generateOptions.stop) {
        const index = text.indexOf(sequence);
        if (index >= 0 && index < end) end = index;
      }
      return text.slice(0, end);
    },
  };
}

/** A guard whose decisions are recorded against one ledger request (the guard itself when it cannot be bound). */
function boundToRequest(guard: RequestGuard | undefined, requestId: string): RequestGuard | undefined {
  return guard?.forRequest ? guard.forRequest(requestId) : guard;
}

/** The prompt (left-truncated when needed), its tokens, and the generation budget that fits the context. */
async function fitToContext(
  prompt: string,
  maxTokens: number,
  contextLength: number | undefined,
  countTokens: (text: string) => Promise<number>,
): Promise<{ prompt: string; promptTokens: number; maxTokens: number }> {
  const promptTokens = await countTokens(prompt);
  if (contextLength === undefined || promptTokens + maxTokens <= contextLength) return { prompt, promptTokens, maxTokens };
  const answerRoom = Math.max(1, Math.min(maxTokens, Math.floor(contextLength / 2)));
  if (promptTokens + answerRoom <= contextLength) return { prompt, promptTokens, maxTokens: contextLength - promptTokens };
  // Smallest cut from the left whose remainder fits in `contextLength - answerRoom` tokens (binary search on characters).
  const budget = contextLength - answerRoom;
  let low = 1;
  let high = prompt.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((await countTokens(prompt.slice(middle))) <= budget) high = middle;
    else low = middle + 1;
  }
  const truncated = prompt.slice(low);
  const truncatedTokens = await countTokens(truncated);
  return { prompt: truncated, promptTokens: truncatedTokens, maxTokens: Math.max(1, contextLength - truncatedTokens) };
}
