import type { FailedAttempt, LanguageModel, LanguageModelCallOptions, LanguageModelStreamPart } from "../spec/index.js";
import { AttemptUsage } from "./attempt-usage.js";
import { attachFailedAttempts } from "./failed-attempts-of.js";
import { monitorStreamFailures } from "./monitor-stream-failures.js";
import type { Route } from "./route.js";
import { runWithFailover, type FailoverOptions } from "./run-with-failover.js";

export type FailoverLanguageModelOptions = Omit<FailoverOptions, "abortSignal"> & {
  /** Routes in order of preference; at least one. */
  routes: readonly Route<LanguageModel>[];
};

/**
 * One LanguageModel over the ordered routes of a model name. `doStream` retries and fails over until an upstream
 * route's stream reaches its first content part (for a non-streamed call, `stream: false`, until it finishes): a
 * failure before that point reaches the caller only when every route failed. After it, failures reach the caller
 * as the stream's `error` part (content was already delivered, so it is never replayed) and still count against
 * the route's circuit breaker; a route counts as healthy only once its stream finishes normally. The local
 * engine's stream is passed through unwatched (its errors are not network cuts). Token counting and `info` come
 * from the preferred route.
 *
 * Abandoned attempts may still be billed by their upstream, so their usage (see {@link AttemptUsage}) is handed on:
 * in the served stream's `response-metadata` part (`failedAttempts`), or, when the call fails, with the thrown error
 * (every attempt, the last one included; read it with `failedAttemptsOf`).
 */
export function createFailoverLanguageModel(options: FailoverLanguageModelOptions): LanguageModel {
  const { routes, modelName } = options;
  const preferred = routes[0]?.model;
  const model: LanguageModel = {
    specificationVersion: "v1",
    provider: "gateway",
    modelId: modelName,
    async doStream(callOptions: LanguageModelCallOptions): Promise<{ stream: ReadableStream<LanguageModelStreamPart> }> {
      const { abortSignal } = callOptions;
      const failedAttempts: FailedAttempt[] = [];
      try {
        return await runWithFailover(
          routes,
          async (route, call) => {
            const usage = new AttemptUsage();
            try {
              const { stream } = await route.model.doStream(callOptions);
              // Every stream stage costs each token a few promise hops: only upstream streams need watching. (The
              // local route comes first, so no abandoned attempt precedes it.)
              if (route.local) {
                call.succeeded();
                return { stream };
              }
              const holdUntilFinish = callOptions.stream === false;
              return { stream: await monitorStreamFailures(stream, call, { holdUntilFinish, abortSignal, route: route.name, usage, failedAttempts }) };
            } catch (error) {
              failedAttempts.push(usage.failedAttempt(route.name));
              throw error;
            }
          },
          { ...options, abortSignal, reportsOutcome: true },
        );
      } catch (error) {
        throw attachFailedAttempts(error, failedAttempts);
      }
    },
  };
  if (preferred?.countPromptTokens) model.countPromptTokens = (callOptions) => preferred.countPromptTokens!(callOptions);
  if (preferred?.info) model.info = () => preferred.info!();
  return model;
}
