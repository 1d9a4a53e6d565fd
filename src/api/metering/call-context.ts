import type { Logger } from "pino";
import type { KeyPrincipal } from "../../maas/index.js";
import type { AppDependencies } from "../app-dependencies.js";
import type { InFlightRequests } from "./in-flight-requests.js";

/** What a metered model call needs from its HTTP request. */
export type CallContext = {
  dependencies: AppDependencies & { inFlight: InFlightRequests };
  principal: KeyPrincipal;
  /** Aborts when the client disconnects. */
  requestSignal: AbortSignal;
  logger: Logger;
};

/** An AbortController that also follows the client connection and the server's shutdown. */
export function callAbortController(context: CallContext): AbortController {
  const controller = new AbortController();
  const followed = [context.requestSignal, context.dependencies.shutdownSignal].filter((signal): signal is AbortSignal => signal !== undefined);
  for (const signal of followed) {
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true, signal: controller.signal });
  }
  return controller;
}
