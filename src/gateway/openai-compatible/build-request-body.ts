import type { CallWarning, LanguageModelCallOptions, ResponseFormat, SamplingOptions, ToolChoice } from "../../spec/index.js";
import { convertChatMessages } from "./convert-chat-messages.js";

/** Key of `providerOptions` whose fields are merged into the upstream request body as-is. */
export const providerOptionsKey = "openai-compatible";

/** The upstream endpoint (relative to the provider's base URL) and the JSON body of a streamed call. */
export type UpstreamRequest = {
  path: "/chat/completions" | "/completions";
  body: Record<string, unknown>;
  warnings: CallWarning[];
};

function samplingFields(sampling: SamplingOptions): Record<string, unknown> {
  return {
    temperature: sampling.temperature,
    top_p: sampling.topP,
    top_k: sampling.topK,
    min_p: sampling.minP,
    seed: sampling.seed,
    presence_penalty: sampling.presencePenalty,
    frequency_penalty: sampling.frequencyPenalty,
    logit_bias: sampling.logitBias,
    stop: sampling.stop,
    max_tokens: sampling.maxTokens,
  };
}

function convertToolChoice(toolChoice: ToolChoice): unknown {
  switch (toolChoice.type) {
    case "auto":
    case "none":
    case "required":
      return toolChoice.type;
    case "tool":
      return { type: "function", function: { name: toolChoice.name } };
    default:
      return toolChoice satisfies never;
  }
}

function convertResponseFormat(format: ResponseFormat): unknown {
  switch (format.type) {
    case "text":
    case "json_object":
      return { type: format.type };
    case "json_schema":
      return { type: "json_schema", json_schema: { name: format.name, schema: format.schema, strict: format.strict } };
    default:
      return format satisfies never;
  }
}

function withoutUndefined(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}

/**
 * Maps call options back to OpenAI's wire format: chat prompts go to `/chat/completions`, text prompts
 * to `/completions` (with `echo` and an integer `logprobs`). Always streams with usage included.
 */
export function buildRequestBody(modelId: string, options: LanguageModelCallOptions): UpstreamRequest {
  const warnings: CallWarning[] = [];
  const common = {
    model: modelId,
    stream: true,
    stream_options: { include_usage: true },
    ...samplingFields(options.sampling),
  };
  const extra = options.providerOptions?.[providerOptionsKey] ?? {};
  const { prompt } = options;
  if (prompt.type === "text") {
    if (options.tools?.length) warnings.push({ type: "unsupported-setting", setting: "tools", details: "tools are ignored for text prompts" });
    if (options.responseFormat && options.responseFormat.type !== "text") {
      warnings.push({ type: "unsupported-setting", setting: "response_format", details: "response_format is ignored for text prompts" });
    }
    const body = { ...common, prompt: prompt.text, echo: prompt.echo, logprobs: options.logprobs?.topLogprobs, ...extra };
    return { path: "/completions", body: withoutUndefined(body), warnings };
  }
  const body = {
    ...common,
    messages: convertChatMessages(prompt.messages),
    tools: options.tools?.length
      ? options.tools.map((tool) => ({ type: "function", function: { name: tool.name, description: tool.description, parameters: tool.parameters } }))
      : undefined,
    tool_choice: options.toolChoice && options.tools?.length ? convertToolChoice(options.toolChoice) : undefined,
    response_format: options.responseFormat ? convertResponseFormat(options.responseFormat) : undefined,
    logprobs: options.logprobs ? true : undefined,
    top_logprobs: options.logprobs?.topLogprobs,
    ...extra,
  };
  return { path: "/chat/completions", body: withoutUndefined(body), warnings };
}
