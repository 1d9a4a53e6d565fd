import type { EmbeddingModel } from "../spec/index.js";
import { NotFoundError } from "../spec/errors/index.js";
import type { GenerationRecord, KnowledgeStore, SearchHit } from "./knowledge-store.js";
import { maximalMarginalRelevance } from "./maximal-marginal-relevance.js";
import { reciprocalRankFusion } from "./reciprocal-rank-fusion.js";
import type { KnowledgeBaseScope, Reranker, SearchFilter } from "./types.js";
import { normaliseVector } from "./vector-math.js";

/** Which retrievers run. */
export type RetrievalMode = "lexical" | "vector" | "hybrid";

/** A retrieved passage: the chunk, its fused score and the scores of each stage that saw it. */
export type RetrievedPassage = SearchHit & {
  /** Final score: RRF score (or the single retriever's score, or the rerank score when reranked). */
  score: number;
  lexicalScore?: number | undefined;
  lexicalRank?: number | undefined;
  vectorSimilarity?: number | undefined;
  vectorRank?: number | undefined;
  /** The weighted RRF score of both retrievers (hybrid mode only), kept when a reranker replaces `score`. */
  fusedScore?: number | undefined;
  rerankScore?: number | undefined;
};

/** Minimum scores a passage must reach (any one configured threshold suffices). Nothing configured: all pass. */
export type RelevanceThreshold = {
  /** Minimum BM25 score (corpus dependent). */
  minLexicalScore?: number | undefined;
  /** Minimum cosine similarity to the query. */
  minVectorSimilarity?: number | undefined;
  /** Minimum reranker score (applies when a reranker ran). */
  minRerankScore?: number | undefined;
};

/** Options of {@link retrieve}. */
export type RetrieveOptions = {
  store: KnowledgeStore;
  scope: KnowledgeBaseScope;
  query: string;
  /** Default `hybrid` when an embedding model is available, else `lexical`. */
  mode?: RetrievalMode | undefined;
  /** The query embedder for the generation being searched (its `embeddingModelId` tells which model). */
  embeddingModelFor?: ((generation: GenerationRecord) => EmbeddingModel | Promise<EmbeddingModel>) | undefined;
  /** Passages returned (default 10). */
  limit?: number | undefined;
  /** Candidates drawn from each retriever before fusion (default max(50, 5 × limit)). */
  candidateLimit?: number | undefined;
  /** RRF weights (default 1 and 1). */
  weights?: { lexical?: number | undefined; vector?: number | undefined } | undefined;
  /** RRF constant (default 60). */
  rrfK?: number | undefined;
  /** BM25 parameters (default k1 0.9, b 0.4, document weight 2). */
  bm25?: { k1?: number | undefined; b?: number | undefined; documentWeight?: number | undefined } | undefined;
  filter?: SearchFilter | undefined;
  /** Maximal marginal relevance; `lambda` 1 = relevance only (default off). */
  diversity?: { lambda?: number | undefined } | undefined;
  reranker?: Reranker | undefined;
  /** Fused candidates passed to the reranker (default max(20, 2 × limit)). */
  rerankCandidates?: number | undefined;
  threshold?: RelevanceThreshold | undefined;
  abortSignal?: AbortSignal | undefined;
};

/** Result of {@link retrieve}; `nothingRelevant` is true when no passage passed the threshold. */
export type RetrievalResult = { passages: RetrievedPassage[]; nothingRelevant: boolean; generationId: number; mode: RetrievalMode };

/**
 * Lexical, vector or hybrid retrieval from a knowledge base's active generation: RRF fusion, optional reranking,
 * relevance threshold, optional MMR diversity. The query is embedded with the model of the generation it
 * searches; if a re-index switch retires that generation mid-query, it retries once on the new one.
 */
export async function retrieve(options: RetrieveOptions): Promise<RetrievalResult> {
  try {
    return await retrieveOnce(options);
  } catch (error) {
    if (error instanceof NotFoundError && error.code === "generation_not_found") return retrieveOnce(options);
    throw error;
  }
}

async function retrieveOnce(options: RetrieveOptions): Promise<RetrievalResult> {
  const { store, scope } = options;
  const limit = options.limit ?? 10;
  const candidateLimit = options.candidateLimit ?? Math.max(50, limit * 5);
  const generations = await store.listGenerations(scope);
  const knowledgeBase = await store.getKnowledgeBase(scope);
  const generation = generations.find((candidate) => candidate.id === knowledgeBase?.activeGenerationId);
  if (!generation) throw new NotFoundError({ message: `knowledge base ${scope.knowledgeBaseId} has no index`, code: "knowledge_base_not_indexed" });
  const mode = options.mode ?? (options.embeddingModelFor ? "hybrid" : "lexical");
  const searchOptions = { limit: candidateLimit, filter: options.filter, generationId: generation.id };

  if (mode !== "lexical" && !options.embeddingModelFor) throw new TypeError(`${mode} retrieval needs embeddingModelFor`);
  const embeddingModelFor = options.embeddingModelFor;
  // The two searches are independent: a store on a database server answers them at once (two connections).
  const searchVectors = async (): Promise<SearchHit[]> => {
    if (mode === "lexical" || !embeddingModelFor) return [];
    const model = await embeddingModelFor(generation);
    const embedded = await model.doEmbed({ values: [options.query], abortSignal: options.abortSignal });
    return store.vectorSearch(scope, normaliseVector(embedded.embeddings[0] ?? []), searchOptions);
  };
  const [lexicalHits, vectorHits] = await Promise.all([
    mode === "vector" ? Promise.resolve([]) : store.lexicalSearch(scope, options.query, { ...searchOptions, ...options.bm25 }),
    searchVectors(),
  ]);
  options.abortSignal?.throwIfAborted();

  const passages = new Map<number, RetrievedPassage>();
  lexicalHits.forEach((hit, index) => passages.set(hit.chunkId, { ...hit, lexicalScore: hit.score, lexicalRank: index + 1 }));
  vectorHits.forEach((hit, index) => {
    const existing = passages.get(hit.chunkId) ?? { ...hit };
    passages.set(hit.chunkId, { ...existing, vectorSimilarity: hit.score, vectorRank: index + 1 });
  });
  const fused = reciprocalRankFusion(
    [
      { items: lexicalHits.map((hit) => hit.chunkId), weight: mode === "vector" ? 0 : (options.weights?.lexical ?? 1) },
      { items: vectorHits.map((hit) => hit.chunkId), weight: mode === "lexical" ? 0 : (options.weights?.vector ?? 1) },
    ],
    (chunkId) => chunkId,
    options.rrfK ?? 60,
  );
  let ranked = fused.map(({ item, score }) => {
    const passage = passages.get(item)!;
    const single = mode === "lexical" ? passage.lexicalScore : mode === "vector" ? passage.vectorSimilarity : undefined;
    return { ...passage, score: single ?? score, fusedScore: mode === "hybrid" ? score : undefined };
  });

  if (options.reranker && ranked.length > 0) {
    const head = ranked.slice(0, options.rerankCandidates ?? Math.max(20, limit * 2));
    const scores = await options.reranker.rerank(options.query, head.map((passage) => passage.searchText), { abortSignal: options.abortSignal });
    if (scores.length !== head.length) throw new Error(`reranker returned ${scores.length} scores for ${head.length} passages`);
    ranked = head.map((passage, index) => ({ ...passage, rerankScore: scores[index]!, score: scores[index]! })).sort((left, right) => right.score - left.score);
  }

  ranked = ranked.filter((passage) => passesThreshold(passage, options.threshold));

  if (options.diversity && ranked.length > 1) {
    const pool = ranked.slice(0, Math.max(limit * 4, 20));
    const vectors = await store.getChunkVectors(scope, pool.map((passage) => passage.chunkId), generation.id);
    ranked = maximalMarginalRelevance(
      pool.map((passage) => ({ item: passage, relevance: passage.score, vector: vectors.get(passage.chunkId) })),
      { limit, lambda: options.diversity.lambda },
    );
  }
  const result = ranked.slice(0, limit);
  return { passages: result, nothingRelevant: result.length === 0, generationId: generation.id, mode };
}

function passesThreshold(passage: RetrievedPassage, threshold: RelevanceThreshold | undefined): boolean {
  if (!threshold) return true;
  const checks: boolean[] = [];
  if (threshold.minLexicalScore !== undefined) checks.push((passage.lexicalScore ?? -Infinity) >= threshold.minLexicalScore);
  if (threshold.minVectorSimilarity !== undefined) checks.push((passage.vectorSimilarity ?? -Infinity) >= threshold.minVectorSimilarity);
  if (threshold.minRerankScore !== undefined && passage.rerankScore !== undefined) checks.push(passage.rerankScore >= threshold.minRerankScore);
  return checks.length === 0 || checks.some(Boolean);
}
