import type { ProviderRecord } from "../store/records.js";
import { testConnection } from "./openai-compatible/test-connection.js";
import { providerUpstreamKey } from "./resolve-routes.js";

/** The latest active health check of a provider's engine. */
export type UpstreamHealthCheck = {
  /** `up`: the engine listed its models; `down`: it did not (its routes get no traffic while others can serve). */
  status: "up" | "down";
  /** Epoch ms when the check ended. */
  checkedAt: number;
  latencyMs: number;
  /** Why it is down: the upstream's own error text (its API key masked), or why it could not be reached. */
  error: string | undefined;
};

export type UpstreamHealthCheckOptions = {
  /** Time between the end of one round of checks and the start of the next; 0 turns the checks off. */
  intervalMs: number;
  listProviders(): Promise<ProviderRecord[]>;
  fetch: typeof globalThis.fetch;
  now: () => number;
  /** Told when a provider's engine goes down or comes back (not on its first `up`). */
  onChange?: ((provider: ProviderRecord, check: UpstreamHealthCheck) => void) | undefined;
  /** Told when a round could not run (the provider list could not be read); the next round runs as planned. */
  onError?: ((error: unknown) => void) | undefined;
};

/** Longest a single check may take until the upstream's headers (less when the provider's own timeout is shorter). */
const checkTimeoutMs = 10_000;

/**
 * Active health checks of every provider: once started, `GET {base_url}/models` (with the provider's API key, through
 * the routes' HTTP client) at once and then every interval. A check that fails (no answer, an HTTP error, not a model
 * list) marks the engine down; the next one that succeeds marks it up. Results are kept per provider id and base URL,
 * so a changed URL is judged afresh; removed providers are forgotten at the next round.
 */
export class UpstreamHealthChecks {
  private readonly results = new Map<string, UpstreamHealthCheck>();
  private readonly stopping = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private started = false;

  constructor(private readonly options: UpstreamHealthCheckOptions) {}

  get enabled(): boolean {
    return this.options.intervalMs > 0;
  }

  /** Whether the engine's latest check failed. */
  isDown(upstream: string): boolean {
    return this.results.get(upstream)?.status === "down";
  }

  /** The engine's latest check; undefined when checks are off or none has ended yet. */
  latest(upstream: string): UpstreamHealthCheck | undefined {
    return this.results.get(upstream);
  }

  /** Starts the rounds (when an interval is set); a no-op when already started or disposed. */
  start(): void {
    if (!this.enabled || this.started || this.stopping.signal.aborted) return;
    this.started = true;
    this.schedule(0);
  }

  /** Stops the rounds; a check in progress is aborted. */
  async dispose(): Promise<void> {
    this.stopping.abort();
    clearTimeout(this.timer);
    await this.round;
  }

  /** One round: every provider's engine is checked at once. */
  async checkAll(): Promise<void> {
    const providers = await this.options.listProviders();
    const current = new Map(providers.map((provider) => [providerUpstreamKey(provider), provider]));
    for (const upstream of this.results.keys()) if (!current.has(upstream)) this.results.delete(upstream);
    await Promise.all([...current].map(([upstream, provider]) => this.check(upstream, provider)));
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.round = this.checkAll()
        .catch((error: unknown) => {
          if (!this.stopping.signal.aborted) this.options.onError?.(error);
        })
        .finally(() => {
          this.round = undefined;
          if (!this.stopping.signal.aborted) this.schedule(this.options.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  private async check(upstream: string, provider: ProviderRecord): Promise<void> {
    const target = { name: provider.name, baseUrl: provider.baseUrl, apiKey: provider.apiKey, timeoutMs: Math.min(provider.timeoutMs, checkTimeoutMs) };
    const result = await testConnection(target, { kind: "models" }, { fetch: this.options.fetch, signal: this.stopping.signal });
    const previous = this.results.get(upstream);
    const check: UpstreamHealthCheck = { status: result.ok ? "up" : "down", checkedAt: this.options.now(), latencyMs: result.latencyMs, error: result.error };
    this.results.set(upstream, check);
    if (check.status !== (previous?.status ?? "up")) this.options.onChange?.(provider, check);
  }
}
