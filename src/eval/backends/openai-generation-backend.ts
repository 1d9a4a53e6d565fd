import { z } from "zod";
import type { GenerateOptions, GenerationBackend } from "../types.js";
import { describeUpstream, invalidAnswer, type OpenAiUpstreamOptions, upstreamModelOf } from "./openai-compatible-client.js";

export type OpenAiGenerationOptions = OpenAiUpstreamOptions & {
  /** `completions` (plain text, the built-in tasks' default) or `chat` (the prompt as one user message). Defaults to `completions`. */
  endpoint?: "completions" | "chat" | undefined;
};

const completionSchema = z.object({ choices: z.array(z.object({ text: z.string() })).min(1) });
const chatSchema = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1) });

/** A `GenerationBackend` over an OpenAI-compatible `/v1/completions` or `/v1/chat/completions` (non-streamed). */
export function createOpenAiGenerationBackend(options: OpenAiGenerationOptions): GenerationBackend {
  const endpoint = options.endpoint ?? "completions";
  const upstream = upstreamModelOf(options);
  return {
    description: `${describeUpstream(options)}:${endpoint}`,
    generate: (prompt: string, generateOptions: GenerateOptions): Promise<string> =>
      upstream.call(async (route) => {
        const common = {
          model: route.modelId,
          max_tokens: generateOptions.maxTokens,
          temperature: generateOptions.temperature,
          ...(generateOptions.stop.length > 0 ? { stop: generateOptions.stop.slice(0, 4) } : {}),
        };
        if (endpoint === "chat") {
          const reply = await route.postJson("/chat/completions", { ...common, messages: [{ role: "user", content: prompt }] }, generateOptions.signal);
          const answer = chatSchema.safeParse(reply.json);
          if (!answer.success) throw invalidAnswer(route, "a malformed chat completion", reply, answer.error.message);
          return cut(answer.data.choices[0]!.message.content ?? "", generateOptions.stop);
        }
        const reply = await route.postJson("/completions", { ...common, prompt }, generateOptions.signal);
        const answer = completionSchema.safeParse(reply.json);
        if (!answer.success) throw invalidAnswer(route, "a malformed completion", reply, answer.error.message);
        return cut(answer.data.choices[0]!.text, generateOptions.stop);
      }, generateOptions.signal),
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
