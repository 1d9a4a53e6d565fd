import type { Context } from "hono";
import type { CallWarning } from "../../spec/index.js";
import type { AppDependencies } from "../app-dependencies.js";
import type { AppEnvironment } from "../app-environment.js";
import type { CallContext, InFlightRequests } from "../metering/index.js";

/** Dependencies with the defaults createApp fills in. */
export type RouteDependencies = AppDependencies & { inFlight: InFlightRequests };

/** The metered-call context of a request: its key, its logger, and the client connection's abort signal. */
export function callContext(c: Context<AppEnvironment>, dependencies: RouteDependencies): CallContext {
  return { dependencies, principal: c.get("principal"), requestSignal: c.req.raw.signal, logger: c.get("logger") };
}

/** Logs settings a model could not honour (never silently dropped). */
export function warningLogger(c: Context<AppEnvironment>, model: string): (warnings: CallWarning[]) => void {
  return (warnings) => c.get("logger").warn({ model, warnings }, "the model could not honour some settings");
}

/** Logs an unexpected error that reached a stream. */
export function bugLogger(c: Context<AppEnvironment>): (error: unknown) => void {
  return (error) => c.get("logger").error({ err: error }, "unhandled error in a model stream");
}

/** An SSE response over an already encoded body. */
export function eventStreamResponse(c: Context<AppEnvironment>, body: ReadableStream<Uint8Array>): Response {
  return c.body(body, 200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
}
