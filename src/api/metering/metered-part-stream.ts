import type { Logger } from "pino";
import type { MeteredRequest } from "../../maas/index.js";
import type { LanguageModelStreamPart, Usage } from "../../spec/index.js";
import { WriteAheadMeter } from "./write-ahead-meter.js";

type Outcome = Parameters<MeteredRequest["settle"]>[0];

export type MeteredPartStreamOptions = {
  metered: MeteredRequest;
  /** Prompt tokens counted before the call. */
  inputTokens: number | undefined;
  /** See {@link WriteAheadMeter}. */
  writeAheadTokens: number;
  /** Stops generation (the client went away, or metering failed). */
  abort: (reason: unknown) => void;
  /** Called once after the ledger entry is settled, with the final usage (e.g. to record tokens per minute). */
  onSettled: (usage: Usage) => Promise<void> | void;
  logger: Logger;
};

/**
 * Meters a model stream on its way to the client. Each content part goes out only after the ledger covers it
 * (write-ahead checkpoints); `response-metadata` sets the route; the entry is settled exactly once (ok, cancelled or
 * error) before the final part is passed on. When the reader cancels (client disconnect), generation is aborted and
 * the source is still read to its end, so the entry is settled as cancelled with the tokens actually generated.
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

  async function deliver(part: LanguageModelStreamPart): Promise<void> {
    if (readerGone) return;
    controller.enqueue(part);
    while (!readerGone && (controller.desiredSize ?? 0) <= 0) await new Promise<void>((resolve) => (wake = resolve));
  }

  let outcome: Outcome | undefined;
  async function settle(final: Outcome): Promise<void> {
    outcome = final;
    await metered.settle(final);
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
            await settle({ usage: part.usage, status: part.finishReason.unified === "cancelled" || readerGone ? "cancelled" : "ok" });
            break;
          case "error":
            await settle({ usage: meter.generatedAtLeast(), status: "error", error: describe(part.error) });
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
        await settle({ usage: meter.generatedAtLeast(), status, error: status === "error" ? "the model stream ended without a finish part" : undefined });
      }
    } catch (error) {
      options.abort(error);
      reader.cancel(error).catch(() => undefined);
      if (!outcome) {
        await settle({ usage: meter.generatedAtLeast(), status: "error", error: describe(error) }).catch((settleError: unknown) =>
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

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
