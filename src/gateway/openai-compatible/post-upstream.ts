import { AiplusError, ContextOverflowError, UpstreamError, UpstreamTimeoutError } from "../../spec/index.js";
import { upstreamErrorBodySchema } from "./chunk-schemas.js";
import { parseJson } from "./parse-json.js";
import { parseRetryAfter } from "./parse-retry-after.js";

export type PostUpstreamOptions = {
  /** Provider name, for error messages. */
  providerName: string;
  url: string;
  body: unknown;
  apiKey: string | undefined;
  /** Time allowed until the response headers arrive. */
  timeoutMs: number;
  abortSignal: AbortSignal | undefined;
  fetch: typeof globalThis.fetch;
};

function describeCause(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

async function failureFor(response: Response, providerName: string): Promise<Error> {
  const responseBody = await response.text().catch(() => "");
  const parsed = upstreamErrorBodySchema.safeParse(parseJson(responseBody));
  const error = parsed.success ? parsed.data.error : undefined;
  const detail = typeof error === "string" ? error : (error?.message ?? (responseBody.slice(0, 500) || response.statusText));
  const message = `upstream ${providerName} answered HTTP ${response.status}: ${detail}`;
  if (typeof error === "object" && error?.code === "context_length_exceeded") {
    return new ContextOverflowError({ message, code: "context_length_exceeded" });
  }
  const retryAfterSeconds = parseRetryAfter(response.headers.get("retry-after"));
  return new UpstreamError({ message, upstreamStatus: response.status, responseBody, retryAfterSeconds });
}

/** {@link postUpstream}'s options for any method: a GET sends no body. */
export type SendUpstreamOptions = Omit<PostUpstreamOptions, "body"> & { method: "GET" | "POST"; body?: unknown };

/** POSTs JSON to an upstream: {@link sendUpstream} with `method: "POST"`. */
export async function postUpstream(options: PostUpstreamOptions): Promise<Response> {
  return sendUpstream({ ...options, method: "POST" });
}

/**
 * Sends a request (a POST with a JSON body, or a GET) to an upstream and resolves once its response headers arrive
 * with a 2xx status. Rejects
 * with UpstreamError for a non-2xx answer (retryable by status, with the upstream's `Retry-After`) or an
 * unreachable host (retryable),
 * UpstreamTimeoutError when no headers arrive within `timeoutMs`, and the abort reason when the caller
 * aborts. The caller's signal stays attached to the body, so aborting later closes the connection.
 */
export async function sendUpstream(options: SendUpstreamOptions): Promise<Response> {
  options.abortSignal?.throwIfAborted();
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  const signal = options.abortSignal ? AbortSignal.any([options.abortSignal, timeout.signal]) : timeout.signal;
  const headers: Record<string, string> = { accept: "text/event-stream, application/json" };
  if (options.method === "POST") headers["content-type"] = "application/json";
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  let response: Response;
  try {
    const body = options.method === "POST" ? JSON.stringify(options.body) : undefined;
    response = await options.fetch(options.url, { method: options.method, headers, body, signal });
  } catch (error) {
    if (options.abortSignal?.aborted) throw options.abortSignal.reason;
    if (timeout.signal.aborted) {
      throw new UpstreamTimeoutError({ message: `upstream ${options.providerName} sent no response within ${options.timeoutMs} ms`, cause: error });
    }
    throw new UpstreamError({ message: `cannot reach upstream ${options.providerName} (${options.url}): ${describeCause(error)}`, cause: error, isRetryable: true });
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) throw await failureFor(response, options.providerName);
  return response;
}

/** A whole JSON answer: its text, and its JSON value (undefined when the text is not JSON; check it with a schema). */
export type UpstreamJsonAnswer = { text: string; json: unknown };

/**
 * POSTs JSON to an upstream and reads the whole answer (non-streamed endpoints: embeddings, rerank, echo scoring):
 * {@link postUpstream}'s error mapping, with `timeoutMs` bounding the whole exchange (headers and body), so an
 * upstream that stalls mid-body is an UpstreamTimeoutError too. A body cut off after the headers is a retryable
 * UpstreamError.
 */
export async function postUpstreamJson(options: PostUpstreamOptions): Promise<UpstreamJsonAnswer> {
  options.abortSignal?.throwIfAborted();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
  const signal = options.abortSignal ? AbortSignal.any([options.abortSignal, deadline.signal]) : deadline.signal;
  let answered = false;
  try {
    const response = await postUpstream({ ...options, abortSignal: signal });
    answered = true;
    const text = await response.text();
    return { text, json: parseJson(text) };
  } catch (error) {
    if (options.abortSignal?.aborted) throw options.abortSignal.reason;
    if (error instanceof UpstreamTimeoutError) throw error;
    if (deadline.signal.aborted) {
      const what = answered ? "no complete answer" : "no response";
      throw new UpstreamTimeoutError({ message: `upstream ${options.providerName} sent ${what} within ${options.timeoutMs} ms`, cause: error });
    }
    if (AiplusError.isInstance(error)) throw error;
    throw new UpstreamError({ message: `upstream ${options.providerName} cut its answer short: ${describeCause(error)}`, cause: error, isRetryable: true });
  } finally {
    clearTimeout(timer);
  }
}
