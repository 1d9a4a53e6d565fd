import { z } from "zod";
import { UpstreamError } from "../../spec/index.js";
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
};

const rerankResponseSchema = z.object({
  results: z.array(z.object({ index: z.number().int().min(0), relevance_score: z.number() })),
});

/** A reranker over an upstream Cohere/Jina-style `POST /rerank` (llama-server, vLLM, TEI, Jina, Cohere-compatible). */
export function upstreamReranker(options: UpstreamRerankerOptions): Reranker {
  const fetch = options.fetch ?? globalThis.fetch;
  return {
    async rerank(query, documents, call = {}) {
      if (documents.length === 0) return [];
      const timeout = AbortSignal.timeout(options.timeoutMs ?? 60_000);
      const signal = call.abortSignal ? AbortSignal.any([call.abortSignal, timeout]) : timeout;
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
      let response: Response;
      try {
        response = await fetch(`${options.baseUrl.replace(/\/+$/, "")}/rerank`, {
          method: "POST", headers, signal, body: JSON.stringify({ model: options.model, query, documents, top_n: documents.length }),
        });
      } catch (error) {
        if (call.abortSignal?.aborted) throw call.abortSignal.reason;
        throw new UpstreamError({ message: `cannot reach upstream ${options.providerName} for reranking: ${(error as Error).message}`, cause: error, isRetryable: true });
      }
      const text = await response.text();
      if (!response.ok) {
        throw new UpstreamError({ message: `upstream ${options.providerName} answered HTTP ${response.status} to /rerank: ${text.slice(0, 300)}`, upstreamStatus: response.status, responseBody: text });
      }
      let parsed: z.output<typeof rerankResponseSchema>;
      try {
        parsed = rerankResponseSchema.parse(JSON.parse(text));
      } catch (error) {
        throw new UpstreamError({ message: `upstream ${options.providerName} sent an invalid /rerank answer`, cause: error, responseBody: text });
      }
      const scores = new Array<number>(documents.length).fill(Number.NEGATIVE_INFINITY);
      for (const result of parsed.results) if (result.index < documents.length) scores[result.index] = result.relevance_score;
      return scores;
    },
  };
}
