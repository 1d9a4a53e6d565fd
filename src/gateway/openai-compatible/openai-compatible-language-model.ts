import type { LanguageModel, LanguageModelCallOptions, LanguageModelStreamPart } from "../../spec/index.js";
import type { ProviderRecord } from "../../store/records.js";
import { buildRequestBody } from "./build-request-body.js";
import { postUpstream } from "./post-upstream.js";
import { StreamChunkHandler } from "./stream-chunk-handler.js";
import { upstreamPartStream } from "./upstream-part-stream.js";

/** Options of {@link createOpenAICompatibleLanguageModel}. */
export type OpenAICompatibleLanguageModelOptions = {
  /** The upstream: base URL (including `/v1`), API key, timeout until the first byte. */
  provider: ProviderRecord;
  /** The model id sent upstream (`model` in the request body). */
  modelId: string;
  /** Defaults to the global `fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
};

/** Backend name of upstream models (`LanguageModel.provider`). */
export const openAICompatibleProvider = "openai-compatible";

/** Joins a base URL and an endpoint path without doubling or dropping the slash. */
export function endpointUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}${path}`;
}

/**
 * A model served by an OpenAI-compatible upstream (`/chat/completions` or `/completions`, streamed).
 * `doStream` resolves once the upstream's response headers arrive, so failures before the first byte
 * reject (and the gateway can retry or fail over); later failures end the stream with an `error` part.
 */
export function createOpenAICompatibleLanguageModel(options: OpenAICompatibleLanguageModelOptions): LanguageModel {
  const { provider, modelId } = options;
  const fetchFunction = options.fetch ?? globalThis.fetch;
  return {
    specificationVersion: "v1",
    provider: openAICompatibleProvider,
    modelId,
    async doStream(callOptions: LanguageModelCallOptions): Promise<{ stream: ReadableStream<LanguageModelStreamPart> }> {
      const request = buildRequestBody(modelId, callOptions);
      const response = await postUpstream({
        providerName: provider.name,
        url: endpointUrl(provider.baseUrl, request.path),
        body: request.body,
        apiKey: provider.apiKey,
        timeoutMs: provider.timeoutMs,
        abortSignal: callOptions.abortSignal,
        fetch: fetchFunction,
      });
      const { prompt } = callOptions;
      const handler = new StreamChunkHandler({
        kind: prompt.type === "chat" ? "chat" : "completion",
        providerName: provider.name,
        echoPrompt: prompt.type === "text" && prompt.echo ? prompt.text : undefined,
      });
      const leadingParts: LanguageModelStreamPart[] = [
        { type: "stream-start", warnings: request.warnings },
        { type: "response-metadata", route: provider.name, modelId },
      ];
      return { stream: upstreamPartStream({ body: response.body, handler, leadingParts, abortSignal: callOptions.abortSignal }) };
    },
  };
}
