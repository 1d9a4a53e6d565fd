import { z } from "zod";
import { type RequestGuard, UpstreamError, UpstreamTimeoutError } from "../../spec/index.js";
import type { Reranker } from "../types.js";

/** Options of {@link upstreamReranker}. */
export type UpstreamRerankerOptions = {
  /** Provider name, for error messages. */
  providerName: string;
  /** Base URL with `/v1` (as in the openai SDK); the reranker POSTs to `${baseUrl}/rerank`. */
  baseUrl: string;
  apiKey: string | undefined;
  /** Model name the upstream knows. */
  model: string;
  /** Time allowed for the whole call (default 60000 ms). */
  timeoutMs?: number | undefined;
  /** Default global `fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
  /** The guard of a call that carries none (the default policy); left out with no guard: sent as is. */
  fallbackGuard?: (() => Promise<RequestGuard>) | undefined;
};

const tokenCount = z.number().int().min(0);
const rerankResponseSchema = z.object({
  results: z.array(z.object({ index: z.number().int().min(0), relevance_score: z.number() })),
  /** Jina, llama-server, vLLM. */
  usage: z.object({ prompt_tokens: tokenCount.optional(), total_tokens: tokenCount.optional() }).nullish().catch(undefined),
  /** Cohere v2. */
  meta: z.object({ billed_units: z.object({ input_tokens: tokenCount.optional() }).nullish() }).nullish().catch(undefined),
});

type RerankResponse = z.output<typeof rerankResponseSchema>;

/**
 * A reranker over an upstream Cohere/Jina-style `POST /rerank` (llama-server, vLLM, Jina, Cohere-compatible). Asks
 * for every document's score (`top_n` = all) and requires exactly one finite score per document; an HTTP error, an
 * unreachable upstream or an answer of another shape is an UpstreamError (HTTP 502), a timeout an
 * UpstreamTimeoutError (504). Token usage is read from `usage` or Cohere's `meta.billed_units` when present.
 */
export function upstreamReranker(options: UpstreamRerankerOptions): Reranker {
  const fetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const upstream = `upstream ${options.providerName}`;
  return {
    async rerank(query, documents, call = {}) {
      call.abortSignal?.throwIfAborted();
      if (documents.length === 0) return [];
      // The query and the documents leave the server: the guardrails mask (or block) them for this provider first.
      const guard = call.guard ?? (await options.fallbackGuard?.());
      if (guard) [query = "", ...documents] = await guard.guardEmbeddingCall({ name: options.providerName, local: false }, [query, ...documents]);
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = call.abortSignal ? AbortSignal.any([call.abortSignal, timeout]) : timeout;
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
      let status: number;
      let text: string;
      try {
        const response = await fetch(`${options.baseUrl.replace(/\/+$/, "")}/rerank`, {
          method: "POST", headers, signal, body: JSON.stringify({ model: options.model, query, documents, top_n: documents.length }),
        });
        status = response.status;
        text = await response.text();
      } catch (error) {
        if (call.abortSignal?.aborted) throw call.abortSignal.reason;
        if (timeout.aborted) throw new UpstreamTimeoutError({ message: `${upstream} did not answer /rerank within ${timeoutMs} ms`, cause: error });
        throw new UpstreamError({ message: `cannot reach ${upstream} for reranking: ${(error as Error).message}`, cause: error, isRetryable: true });
      }
      if (status < 200 || status >= 300) {
        throw new UpstreamError({ message: `${upstream} answered HTTP ${status} to /rerank: ${text.slice(0, 300)}`, upstreamStatus: status, responseBody: text });
      }
      const parsed = parseAnswer(text, upstream);
      const scores = new Array<number | undefined>(documents.length).fill(undefined);
      for (const result of parsed.results) {
        if (result.index >= documents.length || scores[result.index] !== undefined) {
          throw invalidAnswer(upstream, `result index ${result.index} is out of range or repeated for ${documents.length} documents`, text);
        }
        scores[result.index] = result.relevance_score;
      }
      const missing = scores.findIndex((score) => score === undefined);
      if (missing >= 0) throw invalidAnswer(upstream, `no score for documents[${missing}]`, text);
      call.onUsage?.({ inputTokens: parsed.usage?.prompt_tokens ?? parsed.usage?.total_tokens ?? parsed.meta?.billed_units?.input_tokens ?? undefined });
      return scores as number[];
    },
  };
}

function parseAnswer(text: string, upstream: string): RerankResponse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalidAnswer(upstream, "the body is not JSON", text, error);
  }
  const parsed = rerankResponseSchema.safeParse(json);
  if (!parsed.success) throw invalidAnswer(upstream, "expected {results: [{index, relevance_score}]}", text, parsed.error);
  return parsed.data;
}

function invalidAnswer(upstream: string, detail: string, text: string, cause?: unknown): UpstreamError {
  return new UpstreamError({ message: `${upstream} sent an invalid /rerank answer: ${detail}`, responseBody: text, cause, isRetryable: false });
}
