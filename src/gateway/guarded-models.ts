import type { EmbeddingModel, GuardedRoute, LanguageModel, RequestGuard } from "../spec/index.js";

/** The guard of a call that carries none (work without an API key): the default policy, a vault of its own. */
export type FallbackGuard = () => Promise<RequestGuard>;

/**
 * A route's language model behind the guardrails: the call's guard (else the fallback) rewrites the options for this
 * route before the model sees them, and its output rules apply to the stream. A guard that blocks or fails throws
 * before the route is called; the gateway never retries that on another route (the errors are not retryable).
 */
export function guardedLanguageModel(model: LanguageModel, route: GuardedRoute, fallbackGuard: FallbackGuard): LanguageModel {
  const guarded: LanguageModel = {
    specificationVersion: model.specificationVersion,
    provider: model.provider,
    modelId: model.modelId,
    async doStream(options) {
      const guard = options.guard ?? (await fallbackGuard());
      const call = await guard.guardLanguageModelCall(route, options);
      const { stream } = await model.doStream(call.options);
      return { stream: call.guardOutput(stream) };
    },
  };
  if (model.countPromptTokens) guarded.countPromptTokens = (options) => model.countPromptTokens!(options);
  if (model.info) guarded.info = () => model.info!();
  return guarded;
}

/** A route's embedding model behind the guardrails: the values are masked or redacted for this route (or blocked). */
export function guardedEmbeddingModel(model: EmbeddingModel, route: GuardedRoute, fallbackGuard: FallbackGuard): EmbeddingModel {
  return {
    specificationVersion: model.specificationVersion,
    provider: model.provider,
    modelId: model.modelId,
    async doEmbed(options) {
      const guard = options.guard ?? (await fallbackGuard());
      const values = await guard.guardEmbeddingCall(route, options.values);
      return model.doEmbed({ values, abortSignal: options.abortSignal });
    },
  };
}
