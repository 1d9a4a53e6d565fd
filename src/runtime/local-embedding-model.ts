import type { EmbeddingModel } from "../spec/index.js";
import type { ModelPool } from "./model-pool.js";
import { assertEmbeddingLength, embeddingInputTokens, normalizeEmbedding } from "./embedding-input.js";
import type { RegisteredModel } from "./types.js";

/** A registered embedding GGUF as an EmbeddingModel: L2-normalised vectors and exact token usage. */
export class LocalEmbeddingModel implements EmbeddingModel {
  readonly specificationVersion = "v1";
  readonly provider = "llama.cpp";
  readonly modelId: string;

  constructor(
    private readonly registered: RegisteredModel,
    private readonly pool: ModelPool,
  ) {
    this.modelId = registered.name;
  }

  async doEmbed(options: { values: string[]; abortSignal?: AbortSignal | undefined }): Promise<{ embeddings: number[][]; usage: { inputTokens: number | undefined } }> {
    const lease = await this.pool.acquireEmbeddingModel(this.registered, options.abortSignal);
    try {
      const { context, contextSize } = lease.loaded;
      // Tokenized once (or taken from the tokens ingestion just counted), then embedded from the tokens.
      const inputs = options.values.map((value, index) => embeddingInputTokens((text) => lease.loaded.tokenize(text), value, index, contextSize));
      const lengths = inputs.map((tokens, index) => {
        const length = context.calculateInputLength(tokens);
        assertEmbeddingLength(length, index, contextSize);
        return length;
      });
      const embeddings = await lease.loaded.run(async () => {
        const vectors: number[][] = [];
        for (const tokens of inputs) {
          options.abortSignal?.throwIfAborted();
          vectors.push(normalizeEmbedding((await context.getEmbeddingFor(tokens)).vector));
        }
        return vectors;
      });
      return { embeddings, usage: { inputTokens: lengths.reduce((sum, length) => sum + length, 0) } };
    } finally {
      lease.release();
    }
  }
}
