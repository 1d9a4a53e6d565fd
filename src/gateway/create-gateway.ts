import type { RegisteredModel } from "../runtime/index.js";
import { modalitiesOf } from "../runtime/modalities.js";
import type { ProviderRecord } from "../store/records.js";
import { InvalidRequestError, modelNameKey, NotFoundError, type EmbeddingModel, type LanguageModel } from "../spec/index.js";
import { abortableDelay } from "./abortable-delay.js";
import { CircuitBreaker, defaultCircuitBreakerPolicy } from "./circuit-breaker.js";
import { createFailoverEmbeddingModel } from "./failover-embedding-model.js";
import { createFailoverLanguageModel } from "./failover-language-model.js";
import type { GatewayOptions } from "./gateway-options.js";
import { guardedEmbeddingModel, guardedLanguageModel } from "./guarded-models.js";
import { createOpenAICompatibleEmbeddingModel, createOpenAICompatibleLanguageModel } from "./openai-compatible/index.js";
import { defaultRetryPolicy } from "./retry-policy.js";
import { testConnection } from "./openai-compatible/test-connection.js";
import { providerHealth } from "./provider-health.js";
import { byPriority, localRouteKey, localTier, localUpstreamKey, providerModelId, providerRouteKey, providerUpstreamKey, resolveRoutes } from "./resolve-routes.js";
import { RouteBalancer } from "./route-balancer.js";
import { RouteLatency } from "./route-latency.js";
import type { Route } from "./route.js";
import type { Gateway, ModelListing, ResolvedLanguageModel } from "./types.js";
import { UpstreamHealthChecks } from "./upstream-health-checks.js";
import { createFailoverUpstreamJsonModel, upstreamJsonRoute, type UpstreamJsonModel, type UpstreamJsonRoute } from "./upstream-json-model.js";
import { type RerankingModel, upstreamRerankingModel } from "./upstream-reranking-model.js";

/** A provider route's pool (its priority) and engine. */
function providerPlace(provider: ProviderRecord): { tier: number; upstream: string } {
  return { tier: provider.priority, upstream: providerUpstreamKey(provider) };
}

function notFound(name: string): NotFoundError {
  return new NotFoundError({ message: `The model '${name}' does not exist`, param: "model", code: "model_not_found" });
}

function wrongKind(name: string, kind: RegisteredModel["kind"]): InvalidRequestError {
  const message =
    kind === "embedding"
      ? `The model '${name}' is an embedding model; use /v1/embeddings`
      : `The model '${name}' is not an embedding model; use /v1/chat/completions or /v1/completions`;
  return new InvalidRequestError({ message, param: "model", code: "model_not_supported" });
}

/**
 * Maps public model names (in any case) to routes: the registered local model first, then each provider listing the
 * name by ascending priority; providers of equal priority form a pool, load-balanced by requests in flight (see
 * `runWithFailover`). The resolved model's `modelId` is the name as registered (the local model's spelling, else the
 * first provider's), and each provider is called with its own spelling. Circuit breakers, latencies and requests in
 * flight are kept per route (per engine) for the gateway's lifetime; health checks run between `start` and `dispose`.
 */
export function createGateway(options: GatewayOptions): Gateway {
  const now = options.now ?? Date.now;
  const retry = { ...defaultRetryPolicy, ...options.retry };
  const breakerPolicy = { ...defaultCircuitBreakerPolicy, ...options.circuitBreaker };
  const breakers = new Map<string, CircuitBreaker>();
  const latencies = new Map<string, RouteLatency>();
  const createdAt = Math.floor(now() / 1000);
  const healthChecks = new UpstreamHealthChecks({
    intervalMs: options.healthCheck?.intervalMs ?? 0,
    listProviders: () => options.listProviders(),
    fetch: options.fetch ?? globalThis.fetch,
    now,
    onChange: options.healthCheck?.onChange,
    onError: options.healthCheck?.onError,
  });
  const balancer = new RouteBalancer(healthChecks);
  const fallbackGuard = options.fallbackGuard;
  // Every route behind the guardrails (when configured): each route applies its own rules (local may differ from upstream).
  const guardLanguage = (model: LanguageModel, name: string, local: boolean): LanguageModel =>
    fallbackGuard ? guardedLanguageModel(model, { name, local }, fallbackGuard) : model;
  const guardEmbedding = (model: EmbeddingModel, name: string, local: boolean): EmbeddingModel =>
    fallbackGuard ? guardedEmbeddingModel(model, { name, local }, fallbackGuard) : model;
  const failover = {
    balancer,
    retry,
    delay: options.delay ?? abortableDelay,
    breakerFor(routeKey: string): CircuitBreaker {
      let breaker = breakers.get(routeKey);
      if (!breaker) breakers.set(routeKey, (breaker = new CircuitBreaker(breakerPolicy, now)));
      return breaker;
    },
    recordLatency(routeKey: string, milliseconds: number): void {
      let latency = latencies.get(routeKey);
      if (!latency) latencies.set(routeKey, (latency = new RouteLatency()));
      latency.record(milliseconds, now());
    },
  };

  /** The providers of a model name for JSON endpoints (rerank, echo scoring); the local engine serves those itself. */
  const upstreamJsonModel = async (requestedName: string): Promise<UpstreamJsonModel> => {
    const { providers, canonicalName: name } = await resolveRoutes(requestedName, options);
    if (providers.length === 0) throw notFound(requestedName);
    const routes = providers.map((provider): Route<UpstreamJsonRoute> => {
      const modelId = providerModelId(provider, name);
      return { key: providerRouteKey(provider, modelId), name: provider.name, model: upstreamJsonRoute(provider, modelId, options.fetch), ...providerPlace(provider) };
    });
    return createFailoverUpstreamJsonModel({ ...failover, modelName: name, routes });
  };

  return {
    async languageModel(requestedName: string): Promise<ResolvedLanguageModel> {
      const { local, providers, canonicalName: name } = await resolveRoutes(requestedName, options);
      const routes: Route<LanguageModel>[] = [];
      const localModel = local?.kind === "llm" ? options.runtime.languageModel(local) : undefined;
      if (localModel) routes.push({ key: localRouteKey(name), name: "local", model: guardLanguage(localModel, "local", true), tier: localTier, upstream: localUpstreamKey, local: true });
      for (const provider of providers) {
        const modelId = providerModelId(provider, name);
        const model = createOpenAICompatibleLanguageModel({ provider, modelId, fetch: options.fetch });
        routes.push({ key: providerRouteKey(provider, modelId), name: provider.name, model: guardLanguage(model, provider.name, false), ...providerPlace(provider) });
      }
      if (routes.length === 0) throw local ? wrongKind(name, local.kind) : notFound(requestedName);
      const model = createFailoverLanguageModel({ ...failover, modelName: name, routes });
      // Only the local engine knows its context window (loading the model on first use, as the call would).
      const contextLength = localModel ? (await localModel.info?.())?.contextLength : undefined;
      return { model, contextLength };
    },

    async embeddingModel(requestedName: string): Promise<EmbeddingModel> {
      const { local, providers, canonicalName: name } = await resolveRoutes(requestedName, options);
      const routes: Route<EmbeddingModel>[] = [];
      if (local?.kind === "embedding") {
        routes.push({ key: localRouteKey(name), name: "local", model: guardEmbedding(options.runtime.embeddingModel(local), "local", true), tier: localTier, upstream: localUpstreamKey });
      }
      for (const provider of providers) {
        const modelId = providerModelId(provider, name);
        const model = createOpenAICompatibleEmbeddingModel({ provider, modelId, fetch: options.fetch });
        routes.push({ key: providerRouteKey(provider, modelId), name: provider.name, model: guardEmbedding(model, provider.name, false), ...providerPlace(provider) });
      }
      if (routes.length === 0) throw local ? wrongKind(name, local.kind) : notFound(requestedName);
      return createFailoverEmbeddingModel({ ...failover, modelName: name, routes });
    },

    upstreamJsonModel,

    async rerankingModel(requestedName: string): Promise<RerankingModel> {
      return upstreamRerankingModel(await upstreamJsonModel(requestedName), fallbackGuard);
    },

    async listModels(): Promise<ModelListing[]> {
      const [locals, providers] = await Promise.all([options.listLocalModels(), options.listProviders()]);
      // Keyed by the case-folded name: one listing per model, spelled as registered.
      const listings = new Map<string, ModelListing>();
      for (const local of locals) listings.set(modelNameKey(local.name), { id: local.name, ownedBy: "aiplus", created: createdAt, kind: local.kind, modalities: modalitiesOf(local) });
      for (const provider of byPriority(providers)) {
        for (const id of provider.models) {
          if (!listings.has(modelNameKey(id))) listings.set(modelNameKey(id), { id, ownedBy: provider.name, created: Math.floor(provider.createdAt / 1000), kind: "llm" });
        }
      }
      return [...listings.values()];
    },

    providerHealth(provider) {
      return providerHealth(provider, { breakers, latencies, balancer, healthChecks });
    },

    start() {
      healthChecks.start();
    },

    dispose() {
      return healthChecks.dispose();
    },

    testConnection(target, check, signal) {
      return testConnection(target, check, { fetch: options.fetch ?? globalThis.fetch, signal });
    },
  };
}
