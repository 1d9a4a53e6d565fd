import { directUpstreamJsonModel, type UpstreamJsonModel, type UpstreamJsonRoute } from "../../gateway/index.js";
import { UpstreamError } from "../../spec/index.js";

/** Where an OpenAI-compatible API lives and how to call it directly (one upstream, no failover). */
export type OpenAiCompatibleOptions = {
  /** e.g. `http://127.0.0.1:8080/v1` (the `/v1` is part of the base URL, as in the openai SDK). */
  baseUrl: string;
  /** Model name sent in every request. */
  model: string;
  /** Bearer key; none when undefined. */
  apiKey?: string | undefined;
  /** Time allowed for each whole request (headers and body). Defaults to 60000 ms. */
  timeoutMs?: number | undefined;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch | undefined;
};

/**
 * A backend's upstream: a base URL called directly, or a model's providers through the gateway
 * (`Gateway.upstreamJsonModel`: retries, failover and circuit breaking). Either way requests go through the gateway's
 * upstream HTTP client (its timeout and error mapping).
 */
export type OpenAiUpstreamOptions = OpenAiCompatibleOptions | { upstream: UpstreamJsonModel };

const defaultTimeoutMs = 60_000;

/** The upstream model of a backend's options. */
export function upstreamModelOf(options: OpenAiUpstreamOptions): UpstreamJsonModel {
  if ("upstream" in options) return options.upstream;
  const endpoint = { name: new URL(options.baseUrl).host, baseUrl: options.baseUrl, apiKey: options.apiKey, timeoutMs: options.timeoutMs ?? defaultTimeoutMs };
  return directUpstreamJsonModel(endpoint, options.model, options.fetch);
}

/** The stable description of a backend's upstream: `openai:<base URL>#<model>`, or `gateway:<model>` for providers. */
export function describeUpstream(options: OpenAiUpstreamOptions): string {
  return "upstream" in options ? `gateway:${options.upstream.modelId}` : `openai:${options.baseUrl}#${options.model}`;
}

/**
 * An answer of the wrong shape. A body that is not JSON may be a passing fault of the upstream (retryable: the gateway
 * tries again or fails over); JSON of another shape is not.
 */
export function invalidAnswer(route: UpstreamJsonRoute, what: string, answer: { text: string; json: unknown }, detail: string): UpstreamError {
  const notJson = answer.json === undefined;
  return new UpstreamError({
    message: notJson ? `upstream ${route.providerName} answered with a body that is not JSON` : `upstream ${route.providerName} sent ${what}: ${detail}`,
    responseBody: answer.text.slice(0, 2000),
    isRetryable: notJson,
  });
}
