import { rerankInputBound, type Reranker } from "../../rag/index.js";
import type { CallContext } from "./call-context.js";
import { runInputMeteredCall } from "./run-input-metered-call.js";

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
  const maxInputTokens = rerankInputBound(request.query, request.documents);
  return runInputMeteredCall(context, { model: request.model, endpoint: "rerank", maxInputTokens }, async (abortSignal) => {
    let inputTokens: number | undefined;
    const scores = await request.reranker.rerank(request.query, request.documents, { abortSignal, onUsage: (usage) => (inputTokens = usage.inputTokens) });
    return { result: { scores, inputTokens }, inputTokens };
  });
}
