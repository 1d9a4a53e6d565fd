import type { EmbeddingModel, RequestGuard } from "../../spec/index.js";

/** One open ledger entry of an embedding call; settled once. */
export type EmbeddingMeterEntry = {
  /** The guardrails of the key the call is billed to (its policy); undefined: the gateway's default applies. */
  guard?: RequestGuard | undefined;
  settle(outcome: { inputTokens: number | undefined; status: "ok" | "error" | "cancelled"; error?: string | undefined }): Promise<void>;
};

/**
 * Opens a ledger entry billed to `keyId` (reserving `maxInputTokens` against its budget; throws RateLimitError when
 * over budget). `keyId` undefined = the local operator.
 */
export type EmbeddingMeter = (request: {
  keyId: string | undefined;
  model: string;
  maxInputTokens: number;
  /** The ledger's endpoint. Defaults to `embeddings`. */
  endpoint?: "embeddings" | "rerank" | undefined;
}) => Promise<EmbeddingMeterEntry>;

/** Wraps an embedding model so that each `doEmbed` call is billed to `keyId` through `meter`. */
export function meteredEmbeddingModel(model: EmbeddingModel, options: { meter: EmbeddingMeter; keyId: string | undefined; modelName: string }): EmbeddingModel {
  return {
    specificationVersion: model.specificationVersion,
    provider: model.provider,
    modelId: model.modelId,
    async doEmbed(call) {
      const maxInputTokens = call.values.reduce((sum, value) => sum + Buffer.byteLength(value, "utf8") + 2, 0);
      const entry = await options.meter({ keyId: options.keyId, model: options.modelName, maxInputTokens });
      try {
        const result = await model.doEmbed({ ...call, guard: call.guard ?? entry.guard });
        await entry.settle({ inputTokens: result.usage.inputTokens, status: "ok" });
        return result;
      } catch (error) {
        await entry.settle({
          inputTokens: undefined,
          status: call.abortSignal?.aborted ? "cancelled" : "error",
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        throw error;
      }
    },
  };
}
