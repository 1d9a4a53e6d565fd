import { z } from "zod";
import { UpstreamError } from "../../spec/index.js";
import type { GenerateOptions, GenerationBackend } from "../types.js";
import { type OpenAiCompatibleOptions, postJson } from "./openai-compatible-client.js";

export type OpenAiGenerationOptions = OpenAiCompatibleOptions & {
  /** `completions` (plain text, the built-in tasks' default) or `chat` (the prompt as one user message). Defaults to `completions`. */
  endpoint?: "completions" | "chat" | undefined;
};

const completionSchema = z.object({ choices: z.array(z.object({ text: z.string() })).min(1) });
const chatSchema = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1) });

/** A `GenerationBackend` over an OpenAI-compatible `/v1/completions` or `/v1/chat/completions`. */
export function createOpenAiGenerationBackend(options: OpenAiGenerationOptions): GenerationBackend {
  const endpoint = options.endpoint ?? "completions";
  return {
    description: `openai:${options.baseUrl}#${options.model}:${endpoint}`,
    async generate(prompt: string, generateOptions: GenerateOptions): Promise<string> {
      const common = {
        model: options.model,
        max_tokens: generateOptions.maxTokens,
        temperature: generateOptions.temperature,
        ...(generateOptions.stop.length > 0 ? { stop: generateOptions.stop.slice(0, 4) } : {}),
      };
      if (endpoint === "chat") {
        const answer = chatSchema.safeParse(await postJson(options, "/chat/completions", { ...common, messages: [{ role: "user", content: prompt }] }, generateOptions.signal));
        if (!answer.success) throw new UpstreamError({ message: `malformed chat completion: ${answer.error.message}`, isRetryable: false });
        return cut(answer.data.choices[0]!.message.content ?? "", generateOptions.stop);
      }
      const answer = completionSchema.safeParse(await postJson(options, "/completions", { ...common, prompt }, generateOptions.signal));
      if (!answer.success) throw new UpstreamError({ message: `malformed completion: ${answer.error.message}`, isRetryable: false });
      return cut(answer.data.choices[0]!.text, generateOptions.stop);
    },
  };
}

/** OpenAI accepts at most 4 stop sequences: the rest are applied here. */
function cut(text: string, stop: readonly string[]): string {
  let end = text.length;
  for (const sequence of stop) {
    const index = text.indexOf(sequence);
    if (index >= 0 && index < end) end = index;
  }
  return text.slice(0, end);
}
