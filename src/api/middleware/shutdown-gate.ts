import type { MiddlewareHandler } from "hono";
import { AiplusError, ServiceUnavailableError } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";
import type { InFlightRequests } from "../metering/in-flight-requests.js";

export type ShutdownGateOptions = {
  /** Aborts when the server stops taking requests (graceful shutdown); its reason is what new requests get. */
  drainingSignal: AbortSignal | undefined;
  /** Requests let in are tracked here until their handler returns, so the drain waits for them too. */
  requests: InFlightRequests;
};

/**
 * Graceful shutdown's front door: once draining, a new request gets 503 `server_shutting_down` with `retry-after`
 * (another instance, or this one after its restart, can take it); a request already let in runs on.
 */
export function shutdownGate({ drainingSignal, requests }: ShutdownGateOptions): MiddlewareHandler<AppEnvironment> {
  return async (c, next) => {
    if (drainingSignal?.aborted) {
      const reason: unknown = drainingSignal.reason;
      throw AiplusError.isInstance(reason) ? reason : new ServiceUnavailableError({ message: "the server is shutting down", cause: reason });
    }
    const handled = next();
    requests.track(handled);
    await handled;
  };
}
