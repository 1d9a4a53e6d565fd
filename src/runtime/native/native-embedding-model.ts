import { ContextOverflowError, InvalidRequestError, type EmbeddingModel } from "../../spec/index.js";
import type { ModelPool } from "../model-pool.js";
import { assertEmbeddingLength, embeddingInputTokens, normalizeEmbedding } from "../embedding-input.js";
import type { RegisteredModel } from "../types.js";
import { readJson } from "./server-sent-events.js";

type WorkerEmbeddingResponse = { data?: { index: number; embedding: number[] }[]; usage?: { prompt_tokens?: number }; error?: { message?: string } };

/** A registered embedding GGUF on the native engine: a llama-server `--embedding` worker; same vectors and usage. */
export class NativeEmbeddingModel implements EmbeddingModel {
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
    const lease = await this.pool.acquireWorker(this.registered, options.abortSignal);
    const untrack = lease.loaded.worker.track();
    try {
      const { contextSize, worker } = lease.loaded;
      options.values.forEach((value, index) => {
        const tokens = embeddingInputTokens((text) => lease.loaded.tokenize(text), value, index, contextSize);
        assertEmbeddingLength(tokens.length + lease.loaded.specialTokensPerInput, index, contextSize);
      });
      await worker.ensureReady(options.abortSignal);
      let response;
      try {
        response = await worker.post("/v1/embeddings", { input: options.values, encoding_format: "float" }, options.abortSignal);
      } catch (error) {
        throw worker.describeFailure(error);
      }
      const body = (await readJson(response)) as WorkerEmbeddingResponse | undefined;
      if (response.statusCode !== 200 || !body?.data) {
        const message = body?.error?.message ?? `HTTP ${response.statusCode}`;
        if (/too large|exceed/i.test(message)) {
          throw new ContextOverflowError({ message: `an input exceeds the embedding context of ${contextSize - 1} tokens (${message})`, param: "input", code: "context_length_exceeded" });
        }
        throw response.statusCode === 400 ? new InvalidRequestError({ message, param: "input" }) : worker.describeFailure(new Error(message));
      }
      const embeddings = [...body.data].sort((left, right) => left.index - right.index).map((entry) => normalizeEmbedding(entry.embedding));
      return { embeddings, usage: { inputTokens: body.usage?.prompt_tokens } };
    } finally {
      untrack();
      lease.release();
    }
  }
}
