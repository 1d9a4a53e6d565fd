import { callAbortController, type CallContext } from "./call-context.js";

/** What a call billed by input tokens only (embeddings, rerank) returns to {@link runInputMeteredCall}. */
export type InputMeteredWork<Result> = { result: Result; inputTokens: number | undefined };

/**
 * The shared flow of calls billed by input tokens only: tokens per minute, a concurrency slot and budget (429) on
 * `maxInputTokens` (an upper bound), the work tied to the client connection, then one settle with the count the work reports (unknown
 * stays unknown and costs nothing); a failure settles as error, a client disconnect as cancelled.
 */
export async function runInputMeteredCall<Result>(
  context: CallContext,
  request: { model: string; endpoint: "embeddings" | "rerank"; maxInputTokens: number },
  work: (abortSignal: AbortSignal, requestId: string) => Promise<InputMeteredWork<Result>>,
): Promise<Result & { id: string }> {
  const { dependencies, principal } = context;
  const { maas } = dependencies;
  await maas.rateLimiter.checkTokens(principal, request.maxInputTokens);
  // The key's concurrency slot is held until the entry is settled.
  const slot = await maas.rateLimiter.acquireSlot(principal);
  let metered: Awaited<ReturnType<typeof maas.openMeteredRequest>>;
  try {
    metered = await maas.openMeteredRequest({ principal, model: request.model, endpoint: request.endpoint, maxInputTokens: request.maxInputTokens, maxOutputTokens: 0 });
  } catch (error) {
    await slot.release();
    throw error;
  }
  const { controller: abortController, release } = callAbortController(context);
  const running = (async () => {
    try {
      const { result, inputTokens } = await work(abortController.signal, metered.id);
      await metered.settle({ usage: { inputTokens, outputTokens: 0 }, status: "ok" });
      // The answer stands even when its tokens cannot be counted now (the shared store is unreachable).
      await maas.rateLimiter.recordTokens(principal, inputTokens ?? 0).catch((error: unknown) => context.logger.warn({ err: error }, "recording usage after settling failed"));
      return { ...result, id: metered.id };
    } catch (error) {
      await metered.settle({
        usage: { inputTokens: undefined, outputTokens: 0 },
        status: abortController.signal.aborted ? "cancelled" : "error",
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      throw error;
    } finally {
      release();
      await slot.release();
    }
  })();
  dependencies.inFlight.track(running);
  return running;
}
