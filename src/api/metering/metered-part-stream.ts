import type { Logger } from "pino";
import { failedAttemptUsage, type MeteredRequest } from "../../maas/index.js";
import { AiplusError, type LanguageModelStreamPart, ServiceUnavailableError, type Usage } from "../../spec/index.js";
import { WriteAheadMeter } from "./write-ahead-meter.js";

type Outcome = Parameters<MeteredRequest["settle"]>[0];

export type MeteredPartStreamOptions = {
  metered: MeteredRequest;
  /** Prompt tokens counted before the call. */
  inputTokens: number | undefined;
  /** See {@link WriteAheadMeter}. */
  writeAheadTokens: number;
  /**
   * How the client receives the parts: `stream` as they come (SSE), `whole` only once the stream finished (one JSON
   * response; any error reaches the client as an error response and nothing else). Decides what the key pays when the
   * call fails: nothing when the client got only an error, what was sent when a stream breaks after content.
   */
  delivery: "stream" | "whole";
  /** Stops generation (the client went away, or metering failed). */
  abort: (reason: unknown) => void;
  /** Aborts when the client disconnects: a call cancelled by it is the client's cancellation. */
  requestSignal: AbortSignal;
  /**
   * The server's shutdown: a call it cuts is never passed on as a normal finish. It ends with an error part (the
   * signal's reason), and its entry is settled as `interrupted`.
   */
  shutdownSignal?: AbortSignal | undefined;
  /** Called once after the ledger entry is settled, with the final usage (e.g. to record tokens per minute). */
  onSettled: (usage: Usage) => Promise<void> | void;
  logger: Logger;
};

/**
 * Meters a model stream on its way to the client. Each content part goes out only after the ledger covers it
 * (write-ahead checkpoints); `response-metadata` sets the route (and brings the gateway's failed attempts, recorded
 * as provider cost only); the entry is settled exactly once (ok, cancelled, error or interrupted) before the final
 * part is passed on. When the reader cancels (client disconnect), generation is aborted and the source is still
 * read to its end, so the entry is settled as cancelled with the tokens actually generated. A call the server's
 * shutdown cut ends with an error part instead of its `cancelled` finish. A failed call keeps its tokens and their
 * cost (the provider's cost) but charges the key nothing when the client received only an error (see `delivery`).
 * Backpressure is kept: a slow client holds parts in the engine's stream, not here.
 */
export function meteredPartStream(
  source: ReadableStream<LanguageModelStreamPart>,
  options: MeteredPartStreamOptions,
): { stream: ReadableStream<LanguageModelStreamPart>; settled: Promise<void> } {
  const { metered, logger } = options;
  const meter = new WriteAheadMeter(options.writeAheadTokens, options.inputTokens);
  let controller!: ReadableStreamDefaultController<LanguageModelStreamPart>;
  let readerGone = false;
  let wake: (() => void) | undefined;
  const resume = () => {
    wake?.();
    wake = undefined;
  };
  const stream = new ReadableStream<LanguageModelStreamPart>(
    {
      start: (streamController) => {
        controller = streamController;
      },
      pull: resume,
      cancel: (reason) => {
        readerGone = true;
        options.abort(reason ?? new Error("the client went away"));
        resume();
      },
    },
    { highWaterMark: 1 },
  );

  let contentDelivered = false;
  async function deliver(part: LanguageModelStreamPart): Promise<void> {
    if (readerGone) return;
    if (part.type === "text-delta" || part.type === "tool-call" || part.type === "prompt-echo") contentDelivered = true;
    controller.enqueue(part);
    while (!readerGone && (controller.desiredSize ?? 0) <= 0) await new Promise<void>((resolve) => (wake = resolve));
  }

  const clientCancelled = () => readerGone || options.requestSignal.aborted;
  const shutDown = () => options.shutdownSignal?.aborted === true && !clientCancelled();
  // A native engine worker that died mid-call (kill -9, an abort in llama.cpp) cut the call like a shutdown would.
  const engineCrashed = (error: unknown) => AiplusError.isInstance(error) && error.code === "worker_crashed";
  // The key pays for a failed call only when the client received some of its content.
  const chargedOnFailure = () => options.delivery === "stream" && contentDelivered;

  // Attempts the gateway abandoned before the route that serves the call: provider cost only.
  let failedAttempts: Usage[] | undefined;
  let outcome: Outcome | undefined;
  async function settle(final: Outcome): Promise<void> {
    outcome = final;
    await metered.settle({ ...final, failedAttempts });
    try {
      await options.onSettled(final.usage);
    } catch (error) {
      logger.warn({ err: error }, "recording usage after settling failed");
    }
  }

  const settled = (async () => {
    const reader = source.getReader();
    try {
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        const part = next.value;
        switch (part.type) {
          case "response-metadata":
            metered.setRoute(part.route);
            if (part.failedAttempts) failedAttempts = failedAttemptUsage(part.failedAttempts, options.inputTokens);
            break;
          case "progress":
            meter.progress(part.usage);
            continue; // metering's own bookkeeping: nothing downstream needs it
          case "text-delta":
          case "tool-call":
          case "prompt-echo": {
            const checkpoint = meter.beforeContent();
            if (checkpoint) await metered.checkpoint(checkpoint);
            break;
          }
          case "finish":
            if (part.finishReason.unified === "cancelled" && shutDown()) {
              const error = shutdownError(options.shutdownSignal?.reason);
              await settle({ usage: part.usage, status: "interrupted", error: describe(error), charged: chargedOnFailure() });
              await deliver({ type: "error", error });
              continue;
            }
            await settle({ usage: part.usage, status: part.finishReason.unified === "cancelled" || clientCancelled() ? "cancelled" : "ok" });
            break;
          case "error":
            await settle({
              usage: meter.generatedAtLeast(),
              status: clientCancelled() ? "cancelled" : shutDown() || engineCrashed(part.error) ? "interrupted" : "error",
              error: describe(part.error),
              charged: clientCancelled() || chargedOnFailure(),
            });
            break;
          case "stream-start":
            break;
          default:
            part satisfies never;
        }
        await deliver(part);
      }
      if (!outcome) {
        const status = readerGone ? "cancelled" : "error";
        await settle({
          usage: meter.generatedAtLeast(),
          status,
          error: status === "error" ? "the model stream ended without a finish part" : undefined,
          charged: status === "cancelled" || chargedOnFailure(),
        });
      }
    } catch (error) {
      options.abort(error);
      reader.cancel(error).catch(() => undefined);
      if (!outcome) {
        await settle({ usage: meter.generatedAtLeast(), status: "error", error: describe(error), charged: chargedOnFailure() }).catch((settleError: unknown) =>
          logger.error({ err: settleError }, "settling a failed request failed; recovery will settle it"),
        );
      }
      await deliver({ type: "error", error });
    } finally {
      if (!readerGone) controller.close();
    }
  })();
  return { stream, settled };
}

/** The error a call cut by the shutdown ends with: the shutdown signal's reason when it is an AiplusError. */
function shutdownError(reason: unknown): unknown {
  return AiplusError.isInstance(reason)
    ? reason
    : new ServiceUnavailableError({ message: "the server is shutting down; the request was ended before it finished", cause: reason });
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
