import { z } from "zod";
import { UpstreamError } from "../../spec/index.js";
import type { UpstreamJsonRoute } from "../upstream-json-model.js";

const tokenCount = z.number().int().min(0);
const rerankResponseSchema = z.object({
  results: z.array(z.object({ index: z.number().int().min(0), relevance_score: z.number() })),
  /** Jina, llama-server, vLLM. */
  usage: z.object({ prompt_tokens: tokenCount.optional(), total_tokens: tokenCount.optional() }).nullish().catch(undefined),
  /** Cohere v2. */
  meta: z.object({ billed_units: z.object({ input_tokens: tokenCount.optional() }).nullish() }).nullish().catch(undefined),
});

/** One route's scores, one per document in order, and the tokens it reported (unknown: undefined). */
export type RouteRerankResult = { scores: number[]; inputTokens: number | undefined };

/**
 * A Cohere/Jina-style `POST /rerank` on one route (llama-server, vLLM, Jina, Cohere-compatible). Asks for every
 * document's score (`top_n` = all) and requires exactly one finite score per document: an answer of another shape is
 * a non-retryable UpstreamError. Token usage is read from `usage` or Cohere's `meta.billed_units` when present.
 */
export async function rerankOnRoute(
  route: UpstreamJsonRoute,
  request: { query: string; documents: string[] },
  abortSignal: AbortSignal | undefined,
): Promise<RouteRerankResult> {
  const { query, documents } = request;
  const upstream = `upstream ${route.providerName}`;
  const { text, json } = await route.postJson("/rerank", { model: route.modelId, query, documents, top_n: documents.length }, abortSignal);
  if (json === undefined) throw invalidAnswer(upstream, "the body is not JSON", text);
  const parsed = rerankResponseSchema.safeParse(json);
  if (!parsed.success) throw invalidAnswer(upstream, "expected {results: [{index, relevance_score}]}", text, parsed.error);
  const scores = new Array<number | undefined>(documents.length).fill(undefined);
  for (const result of parsed.data.results) {
    if (result.index >= documents.length || scores[result.index] !== undefined) {
      throw invalidAnswer(upstream, `result index ${result.index} is out of range or repeated for ${documents.length} documents`, text);
    }
    scores[result.index] = result.relevance_score;
  }
  const missing = scores.findIndex((score) => score === undefined);
  if (missing >= 0) throw invalidAnswer(upstream, `no score for documents[${missing}]`, text);
  const { usage, meta } = parsed.data;
  return { scores: scores as number[], inputTokens: usage?.prompt_tokens ?? usage?.total_tokens ?? meta?.billed_units?.input_tokens ?? undefined };
}

function invalidAnswer(upstream: string, detail: string, text: string, cause?: unknown): UpstreamError {
  return new UpstreamError({ message: `${upstream} sent an invalid /rerank answer: ${detail}`, responseBody: text, cause, isRetryable: false });
}
