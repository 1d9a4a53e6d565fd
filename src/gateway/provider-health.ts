import type { ProviderRecord } from "../store/records.js";
import type { CircuitBreaker, CircuitSnapshot, CircuitState } from "./circuit-breaker.js";
import { providerRouteKey, providerUpstreamKey } from "./resolve-routes.js";
import type { RouteBalancer } from "./route-balancer.js";
import { type LatencySnapshot, type RouteLatency, summarizeLatency } from "./route-latency.js";
import type { UpstreamHealthCheck, UpstreamHealthChecks } from "./upstream-health-checks.js";

/** Circuit and latency of one model route of a provider. */
export type ProviderRouteHealth = CircuitSnapshot & { model: string; latency: LatencySnapshot | undefined };

/**
 * A provider's health: its worst route state (open beats half-open beats closed; a route never called is closed),
 * until when the latest open route stays open, its latency over every route's recent samples, its requests in flight
 * (this process's, every route together) and its latest active health check (undefined when checks are off or none has
 * ended yet).
 */
export type ProviderHealth = {
  state: CircuitState;
  openUntil: number | undefined;
  latency: LatencySnapshot | undefined;
  outstanding: number;
  healthCheck: UpstreamHealthCheck | undefined;
  routes: ProviderRouteHealth[];
};

const severity: Record<CircuitState, number> = { closed: 0, "half-open": 1, open: 2 };

export function providerHealth(
  provider: ProviderRecord,
  state: {
    breakers: ReadonlyMap<string, CircuitBreaker>;
    latencies: ReadonlyMap<string, RouteLatency>;
    balancer: RouteBalancer;
    healthChecks: UpstreamHealthChecks;
  },
): ProviderHealth {
  const routes = provider.models.map((model): ProviderRouteHealth => {
    const key = providerRouteKey(provider, model);
    const circuit = state.breakers.get(key)?.snapshot() ?? { state: "closed", openUntil: undefined, pausedUntil: undefined, consecutiveFailures: 0 };
    return { model, ...circuit, latency: summarizeLatency(state.latencies.get(key)?.recent() ?? []) };
  });
  const worst = routes.reduce<CircuitState>((current, route) => (severity[route.state] > severity[current] ? route.state : current), "closed");
  const openUntil = routes.filter((route) => route.state === "open" && route.openUntil !== undefined).map((route) => route.openUntil!);
  const samples = provider.models.flatMap((model) => state.latencies.get(providerRouteKey(provider, model))?.recent() ?? []);
  const upstream = providerUpstreamKey(provider);
  return {
    state: worst,
    openUntil: openUntil.length === 0 ? undefined : Math.max(...openUntil),
    latency: summarizeLatency(samples),
    outstanding: state.balancer.outstanding(upstream),
    healthCheck: state.healthChecks.latest(upstream),
    routes,
  };
}
