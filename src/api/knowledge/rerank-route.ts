import { Hono } from "hono";
import type { KnowledgeService } from "../../rag/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { runRerankCall } from "../metering/index.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import { callContext, type RouteDependencies } from "../routes/route-helpers.js";
import { rerankRequestSchema } from "./knowledge-request-schemas.js";

/**
 * `POST /v1/rerank` (Cohere / Jina style): `{model, query, documents, top_n, return_documents}` → `{results: [{index,
 * relevance_score, document}], usage}` sorted by relevance (ties by index). The model is a local reranker GGUF
 * (ranking context, scores in [0, 1]), a local embedding model (cosine similarity, [-1, 1]) or a provider's `/rerank`.
 * `usage` holds the tokens the reranker processed, or is absent when the reranker does not report them. The call is
 * metered like embeddings (tokens per minute, budget reservation, one ledger entry with endpoint `rerank`).
 */
export function rerankRoute(dependencies: RouteDependencies & { knowledge: KnowledgeService }): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>().post("/", async (c) => {
    const request = parseWithSchema(rerankRequestSchema, await readJsonBody(c));
    const principal = c.get("principal");
    dependencies.maas.assertModelAllowed(principal, request.model);
    // Billed here as one `rerank` ledger entry, whichever reranker serves it (so not also as embeddings).
    const reranker = await dependencies.knowledge.reranker(request.model, undefined);
    const { scores, inputTokens } = await runRerankCall(callContext(c, dependencies), { model: request.model, query: request.query, documents: request.documents, reranker });
    if (scores.length !== request.documents.length) throw new Error(`reranker returned ${scores.length} scores for ${request.documents.length} documents`);
    const results = scores
      .map((score, index) => ({ index, relevance_score: score, document: { text: request.documents[index]! } }))
      .sort((left, right) => right.relevance_score - left.relevance_score || left.index - right.index)
      .slice(0, request.top_n ?? request.documents.length)
      .map((result) => (request.return_documents === false ? { index: result.index, relevance_score: result.relevance_score } : result));
    const usage = inputTokens === undefined ? undefined : { prompt_tokens: inputTokens, total_tokens: inputTokens };
    return c.json({ id: `rerank-${crypto.randomUUID()}`, object: "list", model: request.model, results, usage });
  });
}
