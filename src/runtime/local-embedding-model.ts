import { ContextOverflowError, InvalidRequestError, type EmbeddingModel } from "../spec/index.js";
import type { ModelPool } from "./model-pool.js";
import { tokensBeyond } from "./tokens-beyond.js";
import type { RegisteredModel } from "./types.js";

function normalize(vector: readonly number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return norm > 0 ? vector.map((value) => value / norm) : [...vector];
}

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
      const inputs = options.values.map((value, index) => {
        if (value.length === 0) throw new InvalidRequestError({ message: `input[${index}] is empty`, param: "input" });
        const beyond = tokensBeyond((text) => lease.loaded.tokenize(text), [value], contextSize);
        if (beyond) {
          throw new ContextOverflowError({
            message: `input[${index}] exceeds the embedding context of ${contextSize - 1} tokens: its first ${beyond.characters} characters alone are ${beyond.tokens} tokens`,
            param: "input",
            code: "context_length_exceeded",
          });
        }
        return lease.loaded.tokenize(value);
      });
      const lengths = inputs.map((tokens, index) => {
        const length = context.calculateInputLength(tokens);
        if (length >= contextSize) {
          throw new ContextOverflowError({
            message: `input[${index}] has ${length} tokens, which exceeds the embedding context of ${contextSize - 1} tokens`,
            param: "input",
            code: "context_length_exceeded",
          });
        }
        return length;
      });
      const embeddings = await lease.loaded.run(async () => {
        const vectors: number[][] = [];
        for (const tokens of inputs) {
          options.abortSignal?.throwIfAborted();
          vectors.push(normalize((await context.getEmbeddingFor(tokens)).vector));
        }
        return vectors;
      });
      return { embeddings, usage: { inputTokens: lengths.reduce((sum, length) => sum + length, 0) } };
    } finally {
      lease.release();
    }
  }
}
