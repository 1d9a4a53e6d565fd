import type { ProviderRecord } from "../store/records.js";
import { endpointUrl } from "./openai-compatible/openai-compatible-language-model.js";
import { postUpstreamJson, type UpstreamJsonAnswer } from "./openai-compatible/post-upstream.js";
import type { Route } from "./route.js";
import { runWithFailover, type FailoverOptions } from "./run-with-failover.js";

/** One upstream route of a model for a non-streamed JSON endpoint (`/rerank`, `/completions` with echo). */
export type UpstreamJsonRoute = {
  /** The provider's name: error messages, and the guardrail rules of this route (`{ name, local: false }`). */
  providerName: string;
  /** The model id this provider knows (its own spelling), for the request body's `model`. */
  modelId: string;
  /** POSTs `body` to the provider's `base_url + path` through the upstream client and reads the whole answer. */
  postJson(path: string, body: unknown, abortSignal: AbortSignal | undefined): Promise<UpstreamJsonAnswer>;
};

/**
 * A model served by upstreams for JSON endpoints that have no model interface of their own. `call` runs `attempt`
 * on a route — the model's providers by priority, with the gateway's retries, failover and circuit breakers when it
 * comes from `Gateway.upstreamJsonModel` — and resolves with the first attempt that succeeds. `attempt` sends its
 * request with `route.postJson` and checks the answer: throw a retryable AiplusError to try again or fail over,
 * a non-retryable one (an invalid request, an answer of the wrong shape) to stop.
 */
export type UpstreamJsonModel = {
  /** The public model name. */
  modelId: string;
  call<RESULT>(attempt: (route: UpstreamJsonRoute) => Promise<RESULT>, abortSignal?: AbortSignal | undefined): Promise<RESULT>;
};

/** Where one upstream is and how to call it (a saved provider, or a base URL given directly). */
export type UpstreamEndpoint = Pick<ProviderRecord, "name" | "baseUrl" | "apiKey" | "timeoutMs">;

/** The route of `modelId` at one upstream, through the shared upstream HTTP client. */
export function upstreamJsonRoute(endpoint: UpstreamEndpoint, modelId: string, fetch: typeof globalThis.fetch | undefined): UpstreamJsonRoute {
  return {
    providerName: endpoint.name,
    modelId,
    postJson: (path, body, abortSignal) =>
      postUpstreamJson({
        providerName: endpoint.name,
        url: endpointUrl(endpoint.baseUrl, path),
        body,
        apiKey: endpoint.apiKey,
        timeoutMs: endpoint.timeoutMs,
        abortSignal,
        fetch: fetch ?? globalThis.fetch,
      }),
  };
}

/** One upstream called directly, without failover (a base URL given by hand: the eval backends' own use). */
export function directUpstreamJsonModel(endpoint: UpstreamEndpoint, modelId: string, fetch?: typeof globalThis.fetch | undefined): UpstreamJsonModel {
  const route = upstreamJsonRoute(endpoint, modelId, fetch);
  return {
    modelId,
    call: (attempt, abortSignal) => {
      abortSignal?.throwIfAborted();
      return attempt(route);
    },
  };
}

/** Options of {@link createFailoverUpstreamJsonModel}. */
export type FailoverUpstreamJsonModelOptions = Omit<FailoverOptions, "abortSignal"> & {
  /** The model's provider routes in order of preference; at least one. */
  routes: readonly Route<UpstreamJsonRoute>[];
};

/** One UpstreamJsonModel over the routes of a model name, with the gateway's retries, failover and circuit breaking. */
export function createFailoverUpstreamJsonModel(options: FailoverUpstreamJsonModelOptions): UpstreamJsonModel {
  return {
    modelId: options.modelName,
    call: (attempt, abortSignal) => runWithFailover(options.routes, (route) => attempt(route.model), { ...options, abortSignal }),
  };
}
