import { UpstreamError, type EmbeddingModel } from "../../spec/index.js";
import type { ProviderRecord } from "../../store/records.js";
import { embeddingResponseSchema } from "./chunk-schemas.js";
import { endpointUrl, openAICompatibleProvider } from "./openai-compatible-language-model.js";
import { l2Normalize } from "./l2-normalize.js";
import { postUpstreamJson } from "./post-upstream.js";

/** Options of {@link createOpenAICompatibleEmbeddingModel}. */
export type OpenAICompatibleEmbeddingModelOptions = {
  provider: ProviderRecord;
  modelId: string;
  /** Defaults to the global `fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
};

/** An embedding model behind an upstream `/embeddings` (float vectors, L2-normalised here if needed). */
export function createOpenAICompatibleEmbeddingModel(options: OpenAICompatibleEmbeddingModelOptions): EmbeddingModel {
  const { provider, modelId } = options;
  const fetchFunction = options.fetch ?? globalThis.fetch;
  return {
    specificationVersion: "v1",
    provider: openAICompatibleProvider,
    modelId,
    async doEmbed({ values, abortSignal }) {
      const { text, json } = await postUpstreamJson({
        providerName: provider.name,
        url: endpointUrl(provider.baseUrl, "/embeddings"),
        body: { model: modelId, input: values, encoding_format: "float" },
        apiKey: provider.apiKey,
        timeoutMs: provider.timeoutMs,
        abortSignal,
        fetch: fetchFunction,
      });
      const parsed = embeddingResponseSchema.safeParse(json);
      if (!parsed.success || parsed.data.data.length !== values.length) {
        throw new UpstreamError({
          message: `upstream ${provider.name} sent an invalid embeddings response (expected ${values.length} vectors)`,
          responseBody: text.slice(0, 2000),
          isRetryable: true,
        });
      }
      const ordered = parsed.data.data
        .map((entry, position) => ({ index: entry.index ?? position, embedding: entry.embedding }))
        .sort((left, right) => left.index - right.index);
      return {
        embeddings: ordered.map((entry) => l2Normalize(entry.embedding)),
        usage: { inputTokens: parsed.data.usage?.prompt_tokens ?? undefined },
      };
    },
  };
}
