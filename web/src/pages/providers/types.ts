export type CircuitState = "closed" | "open" | "half-open";
export type LatencyView = { average_ms: number; last_ms: number; last_at: number | null; samples: number } | null;

/** `/v1/admin/providers` entries: settings (the API key never, only a mask), circuit-breaker state and latency. */
export type ProviderView = {
  id: string;
  object: "provider";
  name: string;
  base_url: string;
  has_api_key: boolean;
  api_key_hint: string | null;
  models: string[];
  priority: number;
  timeout_ms: number;
  created_at: number | null;
  circuit: { state: CircuitState; open_until_at: number | null };
  latency: LatencyView;
  /** Requests in flight on this provider from this server instance (what pools balance on). */
  outstanding_requests: number;
  /** The latest active health check, or null when checks are off or none finished yet. */
  health_check: { status: "up" | "down"; checked_at: number; latency_ms: number | null; error: string | null } | null;
  routes: Array<{ model: string; state: CircuitState; open_until_at: number | null; paused_until_at: number | null; consecutive_failures: number; latency: LatencyView }>;
};

/** `POST /v1/admin/providers[/{name}]/test`. */
export type ConnectionTest = {
  object: "provider.connection_test";
  ok: boolean;
  check: "models" | "chat";
  latency_ms: number;
  status: number | null;
  error: string | null;
  models: string[] | null;
  missing_models: string[] | null;
};

export const providersQueryKey = ["admin-providers"] as const;
