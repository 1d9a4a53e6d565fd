import type { ProviderRecord } from "../store/records.js";
import type { CircuitBreaker, CircuitSnapshot, CircuitState } from "./circuit-breaker.js";
import { providerRouteKey } from "./resolve-routes.js";
import { type LatencySnapshot, type RouteLatency, summarizeLatency } from "./route-latency.js";

/** Circuit and latency of one model route of a provider. */
export type ProviderRouteHealth = CircuitSnapshot & { model: string; latency: LatencySnapshot | undefined };

/**
 * A provider's health: its worst route state (open beats half-open beats closed; a route never called is closed),
 * until when the latest open route stays open, and its latency over every route's recent samples.
 */
export type ProviderHealth = {
  state: CircuitState;
  openUntil: number | undefined;
  latency: LatencySnapshot | undefined;
  routes: ProviderRouteHealth[];
};

const severity: Record<CircuitState, number> = { closed: 0, "half-open": 1, open: 2 };

export function providerHealth(
  provider: ProviderRecord,
  state: { breakers: ReadonlyMap<string, CircuitBreaker>; latencies: ReadonlyMap<string, RouteLatency> },
): ProviderHealth {
  const routes = provider.models.map((model): ProviderRouteHealth => {
    const key = providerRouteKey(provider, model);
    const circuit = state.breakers.get(key)?.snapshot() ?? { state: "closed", openUntil: undefined, pausedUntil: undefined, consecutiveFailures: 0 };
    return { model, ...circuit, latency: summarizeLatency(state.latencies.get(key)?.recent() ?? []) };
  });
  const worst = routes.reduce<CircuitState>((current, route) => (severity[route.state] > severity[current] ? route.state : current), "closed");
  const openUntil = routes.filter((route) => route.state === "open" && route.openUntil !== undefined).map((route) => route.openUntil!);
  const samples = provider.models.flatMap((model) => state.latencies.get(providerRouteKey(provider, model))?.recent() ?? []);
  return { state: worst, openUntil: openUntil.length === 0 ? undefined : Math.max(...openUntil), latency: summarizeLatency(samples), routes };
}
