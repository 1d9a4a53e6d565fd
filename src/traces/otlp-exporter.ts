import type { Logger } from "pino";
import type { RunTraces } from "./run-traces.js";
import { toOtlpBody } from "./to-otlp.js";

export type OtlpExporterOptions = {
  /**
   * The collector (config `otlpEndpoint`): a base URL such as `http://collector:4318`, to which `/v1/traces` is
   * appended, or a URL that already ends in `/v1/traces`.
   */
  endpoint: string;
  traces: RunTraces;
  logger: Pick<Logger, "warn">;
  /** Defaults to the global `fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
  /** Time allowed for one export (until the collector's answer). Defaults to 10 000 ms. */
  timeoutMs?: number | undefined;
  /** Clock in milliseconds. Defaults to `Date.now`. */
  now?: (() => number) | undefined;
  serviceVersion?: string | undefined;
};

/**
 * Sends finished runs' traces to an OTLP/HTTP collector as JSON. Exports run in the background: a failure (collector
 * down, timeout, non-2xx) is logged and never affects the run. Only built when an endpoint is configured.
 */
export type OtlpExporter = ReturnType<typeof createOtlpExporter>;

export function createOtlpExporter(options: OtlpExporterOptions) {
  const fetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const url = tracesUrl(options.endpoint);
  const pending = new Set<Promise<void>>();

  async function send(runId: string): Promise<void> {
    const trace = await options.traces.trace(runId, { keyId: undefined });
    if (!trace) return;
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(toOtlpBody([trace], { serviceVersion: options.serviceVersion, now: now() })),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text().catch(() => "");
    if (!response.ok) throw new Error(`the collector answered HTTP ${response.status}: ${text.slice(0, 300)}`);
  }

  return {
    /** Exports a run's trace in the background (returns at once). */
    exportRun(runId: string): void {
      const work = send(runId)
        .catch((error: unknown) => options.logger.warn({ err: error, runId, endpoint: url }, "exporting a run's trace over OTLP failed"))
        .finally(() => pending.delete(work));
      pending.add(work);
    },

    /** Resolves once the exports started so far have ended (each is bounded by the timeout). */
    async flush(): Promise<void> {
      await Promise.all([...pending]);
    },
  };
}

function tracesUrl(endpoint: string): string {
  const trimmed = endpoint.replace(/\/+$/, "");
  return trimmed.endsWith("/v1/traces") ? trimmed : `${trimmed}/v1/traces`;
}
