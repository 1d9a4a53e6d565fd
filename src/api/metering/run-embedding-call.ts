import { callAbortController, type CallContext } from "./call-context.js";

export type EmbeddingCallResult = {
  /** The ledger entry's id. */
  id: string;
  embeddings: number[][];
  usage: { inputTokens: number | undefined };
};

/**
 * The per-request flow of an embeddings call: resolve (404), allow (403), tokens per minute and budget (429) on an
 * upper bound of the input tokens (UTF-8 bytes), embed tied to the client connection, settle with the exact count.
 */
export async function runEmbeddingCall(context: CallContext, request: { model: string; values: string[] }): Promise<EmbeddingCallResult> {
  const { dependencies, principal } = context;
  const { maas } = dependencies;
  const model = await dependencies.gateway.embeddingModel(request.model);
  maas.assertModelAllowed(principal, request.model);
  const maxInputTokens = request.values.reduce((sum, value) => sum + Buffer.byteLength(value, "utf8") + 2, 0);
  await maas.rateLimiter.checkTokens(principal, maxInputTokens);
  const metered = await maas.openMeteredRequest({ principal, model: request.model, endpoint: "embeddings", maxInputTokens, maxOutputTokens: 0 });
  const { controller: abortController, release } = callAbortController(context);
  const work = (async (): Promise<EmbeddingCallResult> => {
    try {
      const result = await model.doEmbed({ values: request.values, abortSignal: abortController.signal });
      const usage = { inputTokens: result.usage.inputTokens, outputTokens: 0 };
      await metered.settle({ usage, status: "ok" });
      await maas.rateLimiter.recordTokens(principal, usage.inputTokens ?? 0);
      return { id: metered.id, embeddings: result.embeddings, usage: result.usage };
    } catch (error) {
      await metered.settle({
        usage: { inputTokens: undefined, outputTokens: 0 },
        status: abortController.signal.aborted ? "cancelled" : "error",
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      throw error;
    } finally {
      release();
    }
  })();
  dependencies.inFlight.track(work);
  return work;
}
