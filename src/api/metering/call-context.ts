import type { Logger } from "pino";
import type { KeyPrincipal } from "../../maas/index.js";
import type { AppDependencies } from "../app-dependencies.js";
import type { InFlightRequests } from "./in-flight-requests.js";

/** The app dependencies a metered call uses (an HTTP route passes all of them; a background run these). */
export type MeteringDependencies = Pick<AppDependencies, "maas" | "gateway" | "guardrails" | "defaultReserveTokens" | "writeAheadTokens" | "shutdownSignal" | "now"> & {
  inFlight: InFlightRequests;
};

/** What a metered model call needs from its HTTP request (or the background run standing in for one). */
export type CallContext = {
  dependencies: MeteringDependencies;
  principal: KeyPrincipal;
  /** Aborts when the client disconnects. */
  requestSignal: AbortSignal;
  logger: Logger;
};

/** An AbortController that follows the client connection and the server's shutdown, and a function to stop following them. */
export type CallAbortController = {
  controller: AbortController;
  /** Removes the listeners from the long-lived signals; call once the call has settled. */
  release: () => void;
};

/** An AbortController that also follows the client connection and the server's shutdown. */
export function callAbortController(context: CallContext): CallAbortController {
  const controller = new AbortController();
  const listeners = new AbortController();
  const followed = [context.requestSignal, context.dependencies.shutdownSignal].filter((signal): signal is AbortSignal => signal !== undefined);
  for (const signal of followed) {
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true, signal: listeners.signal });
  }
  return { controller, release: () => listeners.abort() };
}
