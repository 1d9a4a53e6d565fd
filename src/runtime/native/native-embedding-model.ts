import { ContextOverflowError, InvalidRequestError, type EmbeddingModel } from "../../spec/index.js";
import type { ModelPool } from "../model-pool.js";
import { tokensBeyond } from "../tokens-beyond.js";
import type { RegisteredModel } from "../types.js";
import { readJson } from "./server-sent-events.js";

function normalize(vector: readonly number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return norm > 0 ? vector.map((value) => value / norm) : [...vector];
}

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
        if (value.length === 0) throw new InvalidRequestError({ message: `input[${index}] is empty`, param: "input" });
        const beyond = tokensBeyond((text) => lease.loaded.tokenize(text), [value], contextSize);
        if (beyond) {
          throw new ContextOverflowError({
            message: `input[${index}] exceeds the embedding context of ${contextSize - 1} tokens: its first ${beyond.characters} characters alone are ${beyond.tokens} tokens`,
            param: "input",
            code: "context_length_exceeded",
          });
        }
        const length = lease.loaded.tokenize(value).length + lease.loaded.specialTokensPerInput;
        if (length >= contextSize) {
          throw new ContextOverflowError({
            message: `input[${index}] has ${length} tokens, which exceeds the embedding context of ${contextSize - 1} tokens`,
            param: "input",
            code: "context_length_exceeded",
          });
        }
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
      const embeddings = [...body.data].sort((left, right) => left.index - right.index).map((entry) => normalize(entry.embedding));
      return { embeddings, usage: { inputTokens: body.usage?.prompt_tokens } };
    } finally {
      untrack();
      lease.release();
    }
  }
}
