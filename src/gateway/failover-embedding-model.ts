import type { EmbeddingModel } from "../spec/index.js";
import type { Route } from "./route.js";
import { runWithFailover, type FailoverOptions } from "./run-with-failover.js";

export type FailoverEmbeddingModelOptions = Omit<FailoverOptions, "abortSignal"> & {
  routes: readonly Route<EmbeddingModel>[];
};

/** One EmbeddingModel over the ordered routes of a model name, with retries, failover and circuit breaking. */
export function createFailoverEmbeddingModel(options: FailoverEmbeddingModelOptions): EmbeddingModel {
  return {
    specificationVersion: "v1",
    provider: "gateway",
    modelId: options.modelName,
    doEmbed(embedOptions) {
      return runWithFailover(options.routes, (route) => route.model.doEmbed(embedOptions), {
        ...options,
        abortSignal: embedOptions.abortSignal,
      });
    },
  };
}
