import { formatInteger, formatTime } from "../../app/format";
import type { CircuitState, LatencyView } from "./types";

const stateText: Record<CircuitState, string> = { closed: "Closed (healthy)", open: "Open", "half-open": "Half-open (one trial call allowed)" };

/** `Open until 12:00:05`, `Closed (healthy)`… — the state in words, not colour. */
export function circuitText(state: CircuitState, openUntilAt: number | null): string {
  return state === "open" && openUntilAt !== null ? `Open until ${formatTime(openUntilAt)}` : stateText[state];
}

/** A model route's state after its name: empty when closed, `(open until 12:00:05)`, `(half-open)`. */
export function routeStateText(state: CircuitState, openUntilAt: number | null): string {
  switch (state) {
    case "closed":
      return "";
    case "open":
      return openUntilAt === null ? " (open)" : ` (open until ${formatTime(openUntilAt)})`;
    case "half-open":
      return " (half-open)";
    default:
      return state satisfies never;
  }
}

export function latencyText(latency: LatencyView): string {
  if (latency === null) return "No calls yet";
  return `${formatInteger(latency.average_ms)} ms average of ${latency.samples} (last ${formatInteger(latency.last_ms)} ms at ${formatTime(latency.last_at)})`;
}

/** `Up (12 ms) at …`, `Down at …: <the upstream's error>`, or that checks are off. */
export function healthCheckText(check: { status: "up" | "down"; checked_at: number; latency_ms: number | null; error: string | null } | null): string {
  if (check === null) return "Not checked (health checks off)";
  if (check.status === "up") return `Up${check.latency_ms === null ? "" : ` (${formatInteger(check.latency_ms)} ms)`} at ${formatTime(check.checked_at)}`;
  return `Down at ${formatTime(check.checked_at)}${check.error ? `: ${check.error}` : ""}`;
}
