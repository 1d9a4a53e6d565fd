import type { RegisteredModel, Runtime } from "../runtime/index.js";
import type { ProviderRecord } from "../store/records.js";
import type { CircuitBreakerPolicy } from "./circuit-breaker.js";
import type { FallbackGuard } from "./guarded-models.js";
import type { RetryPolicy } from "./retry-policy.js";
import type { UpstreamHealthCheck } from "./upstream-health-checks.js";

/** Options of {@link createGateway}. */
export type GatewayOptions = {
  /** The registered local model of that name, if any (read on every resolution, so registry changes apply at once). */
  findLocalModel(name: string): Promise<RegisteredModel | undefined>;
  listLocalModels(): Promise<RegisteredModel[]>;
  listProviders(): Promise<ProviderRecord[]>;
  /** The local llama.cpp engine serving registered models. */
  runtime: Runtime;
  /** Used for upstream calls. Defaults to the global `fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
  /** Clock in milliseconds (circuit-breaker cooldowns, listing timestamps). Defaults to `Date.now`. */
  now?: (() => number) | undefined;
  /** Waits between retries; rejects when the signal aborts. Defaults to a `setTimeout`-based wait. */
  delay?: ((milliseconds: number, signal: AbortSignal | undefined) => Promise<void>) | undefined;
  /**
   * Retries per route before anything reached the caller (first content part; the end of a non-streamed call).
   * Defaults to `{ maxRetries: 2, initialDelayMs: 200, maxDelayMs: 2000, maxRetryAfterMs: 5000 }`.
   */
  retry?: Partial<RetryPolicy> | undefined;
  /** Per-route circuit breakers. Defaults to `{ failureThreshold: 5, cooldownMs: 30000 }`. */
  circuitBreaker?: Partial<CircuitBreakerPolicy> | undefined;
  /**
   * Active health checks of the providers (`GET {base_url}/models`), run from `start()` until `dispose()`: every
   * `intervalMs` (0 or left out: off). A provider whose latest check failed gets no traffic while another route can serve.
   */
  healthCheck?:
    | {
        intervalMs: number;
        /** Told when a provider's engine goes down or comes back. */
        onChange?: ((provider: ProviderRecord, check: UpstreamHealthCheck) => void) | undefined;
        /** Told when a round of checks could not run. */
        onError?: ((error: unknown) => void) | undefined;
      }
    | undefined;
  /**
   * The guardrails: every route's model is wrapped so that the call's guard (`guard` in the call options; for a call
   * without one, this fallback: the default policy) applies that route's rules before the route is called. Left out:
   * routes are called unguarded (tests of the gateway alone).
   */
  fallbackGuard?: FallbackGuard | undefined;
};
