/** One way to serve a model name: the local engine or an upstream provider. */
export type Route<MODEL> = {
  /** Identifies the route's circuit breaker: `local:<name>` or `provider:<id>:<name>`. */
  key: string;
  /** `local` or the provider's name (as the stream's `response-metadata.route`). */
  name: string;
  model: MODEL;
  /** The in-process engine: its stream errors are not network cuts, so its stream is passed through unmonitored. */
  local?: boolean;
};
