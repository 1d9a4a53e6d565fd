import { Hono } from "hono";
import type { KnowledgeService } from "../../rag/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import type { RouteDependencies } from "../routes/route-helpers.js";
import { rerankRequestSchema } from "./knowledge-request-schemas.js";

/**
 * `POST /v1/rerank` (Cohere / Jina style): `{model, query, documents, top_n}` → `{results: [{index, relevance_score,
 * document}]}` sorted by relevance. The model is a local reranker GGUF (ranking context), a local embedding model
 * (cosine similarity) or a provider's `/rerank`.
 */
export function rerankRoute(dependencies: RouteDependencies & { knowledge: KnowledgeService }): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>().post("/", async (c) => {
    const request = parseWithSchema(rerankRequestSchema, await readJsonBody(c));
    const principal = c.get("principal");
    dependencies.maas.assertModelAllowed(principal, request.model);
    const reranker = await dependencies.knowledge.reranker(request.model, principal.id);
    const scores = await reranker.rerank(request.query, request.documents, { abortSignal: c.req.raw.signal });
    const results = scores
      .map((score, index) => ({ index, relevance_score: score, document: { text: request.documents[index]! } }))
      .sort((left, right) => right.relevance_score - left.relevance_score || left.index - right.index)
      .slice(0, request.top_n ?? request.documents.length)
      .map((result) => (request.return_documents === false ? { index: result.index, relevance_score: result.relevance_score } : result));
    return c.json({ id: `rerank-${crypto.randomUUID()}`, object: "list", model: request.model, results });
  });
}
