/** One way to serve a model name: the local engine or an upstream provider. */
export type Route<MODEL> = {
  /** Identifies the route's circuit breaker: `local:<name>` or `provider:<id>:<name>`. */
  key: string;
  /** `local` or the provider's name (as the stream's `response-metadata.route`). */
  name: string;
  model: MODEL;
  /**
   * Order of preference: lower tiers are tried first, and adjacent routes of one tier form a pool whose calls are
   * spread by requests in flight (the local route's tier is below every provider's; a provider's is its priority).
   */
  tier: number;
  /**
   * The engine behind the route (`local`, or `provider:<id>@<base URL>`): requests in flight are counted per engine
   * (across the models it serves), and its active health check applies to each of its routes.
   */
  upstream: string;
  /** The in-process engine: its stream errors are not network cuts, so its stream is passed through unmonitored. */
  local?: boolean;
};
