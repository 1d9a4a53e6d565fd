import type { LanguageModel } from "../../spec/index.js";
import type { GenerateOptions, GenerationBackend } from "../types.js";

/**
 * A `GenerationBackend` over any `LanguageModel` (the local runtime's, or the gateway's): a plain-text prompt
 * (no chat template), greedy for temperature 0, stop sequences applied by the model and checked again here.
 */
export function createLanguageModelGenerationBackend(model: LanguageModel): GenerationBackend {
  return {
    description: `${model.provider}:${model.modelId}`,
    async generate(prompt: string, options: GenerateOptions): Promise<string> {
      const { stream } = await model.doStream({
        prompt: { type: "text", text: prompt },
        sampling: { temperature: options.temperature, maxTokens: options.maxTokens, stop: options.stop.slice(0, 4) },
        abortSignal: options.signal,
        stream: false, // read to the end before use: the gateway may fail over after a cut stream
      });
      let text = "";
      const reader = stream.getReader();
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        const part = next.value;
        if (part.type === "text-delta") text += part.delta;
        else if (part.type === "error") throw part.error;
      }
      let end = text.length;
      for (const sequence of options.stop) {
        const index = text.indexOf(sequence);
        if (index >= 0 && index < end) end = index;
      }
      return text.slice(0, end);
    },
  };
}
