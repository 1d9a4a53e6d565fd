import type { LanguageModel, LanguageModelCallOptions, LanguageModelStreamPart } from "../spec/index.js";
import { monitorStreamFailures } from "./monitor-stream-failures.js";
import type { Route } from "./route.js";
import { runWithFailover, type FailoverOptions } from "./run-with-failover.js";

export type FailoverLanguageModelOptions = Omit<FailoverOptions, "abortSignal"> & {
  /** Routes in order of preference; at least one. */
  routes: readonly Route<LanguageModel>[];
};

/**
 * One LanguageModel over the ordered routes of a model name. `doStream` retries and fails over until a
 * route's stream starts; after that, failures reach the caller as the stream's `error` part (content was
 * already delivered, so it is never replayed). Token counting and `info` come from the preferred route.
 */
export function createFailoverLanguageModel(options: FailoverLanguageModelOptions): LanguageModel {
  const { routes, modelName } = options;
  const preferred = routes[0]?.model;
  const model: LanguageModel = {
    specificationVersion: "v1",
    provider: "gateway",
    modelId: modelName,
    doStream(callOptions: LanguageModelCallOptions): Promise<{ stream: ReadableStream<LanguageModelStreamPart> }> {
      return runWithFailover(
        routes,
        async (route, breaker) => {
          const { stream } = await route.model.doStream(callOptions);
          // Every stream stage costs each token a few promise hops: only upstream streams need watching.
          return { stream: route.local ? stream : monitorStreamFailures(stream, breaker) };
        },
        { ...options, abortSignal: callOptions.abortSignal },
      );
    },
  };
  if (preferred?.countPromptTokens) model.countPromptTokens = (callOptions) => preferred.countPromptTokens!(callOptions);
  if (preferred?.info) model.info = () => preferred.info!();
  return model;
}
