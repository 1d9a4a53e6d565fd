import type { ModelPool } from "./model-pool.js";
import type { EmbeddingTokenizer, RegisteredModel } from "./types.js";

/** The tokenizer of a pooled local embedding model (loads the model on first use, like an embedding call). */
export class LocalEmbeddingTokenizer implements EmbeddingTokenizer {
  constructor(
    private readonly registered: RegisteredModel,
    private readonly pool: ModelPool,
  ) {}

  async countTokens(text: string): Promise<number> {
    const lease = await this.pool.acquireEmbeddingModel(this.registered);
    try {
      return lease.loaded.tokenize(text).length;
    } finally {
      lease.release();
    }
  }

  async contextSize(): Promise<number> {
    const lease = await this.pool.acquireEmbeddingModel(this.registered);
    try {
      return lease.loaded.contextSize;
    } finally {
      lease.release();
    }
  }
}
