import type { Reranker } from "../../rag/index.js";
import { callAbortController, type CallContext } from "./call-context.js";

export type RerankCallResult = {
  /** The ledger entry's id. */
  id: string;
  /** One score per document, in input order. */
  scores: number[];
  /** Tokens the reranker processed; undefined when it does not report them. */
  inputTokens: number | undefined;
};

/**
 * The per-request flow of a rerank call, billed like embeddings: tokens per minute and budget (429) on an upper bound
 * of the input (UTF-8 bytes of every query–document pair), rerank tied to the client connection, settle with the
 * count the reranker reports (unknown stays unknown and costs nothing).
 */
export async function runRerankCall(
  context: CallContext,
  request: { model: string; query: string; documents: string[]; reranker: Reranker },
): Promise<RerankCallResult> {
  const { dependencies, principal } = context;
  const { maas } = dependencies;
  const queryBytes = Buffer.byteLength(request.query, "utf8") + 4;
  const maxInputTokens = request.documents.reduce((sum, document) => sum + queryBytes + Buffer.byteLength(document, "utf8"), 0);
  await maas.rateLimiter.checkTokens(principal, maxInputTokens);
  const metered = await maas.openMeteredRequest({ principal, model: request.model, endpoint: "rerank", maxInputTokens, maxOutputTokens: 0 });
  const { controller: abortController, release } = callAbortController(context);
  const work = (async (): Promise<RerankCallResult> => {
    let inputTokens: number | undefined;
    try {
      const scores = await request.reranker.rerank(request.query, request.documents, {
        abortSignal: abortController.signal,
        onUsage: (usage) => (inputTokens = usage.inputTokens),
      });
      await metered.settle({ usage: { inputTokens, outputTokens: 0 }, status: "ok" });
      await maas.rateLimiter.recordTokens(principal, inputTokens ?? 0);
      return { id: metered.id, scores, inputTokens };
    } catch (error) {
      await metered.settle({
        usage: { inputTokens, outputTokens: 0 },
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
