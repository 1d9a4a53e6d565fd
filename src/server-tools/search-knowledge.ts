import type { KnowledgeAccessor, KnowledgeService } from "../rag/index.js";
import type { FileSearchResult } from "../responses/index.js";

/** What {@link searchKnowledge} searches. */
export type KnowledgeSearch = {
  /** Knowledge base ids or names (each checked: the key must own it or be granted it). */
  knowledgeBases: string[];
  queries: string[];
  /** Passages kept over every query and knowledge base, best first. */
  maxResults: number;
  signal?: AbortSignal | undefined;
};

/**
 * Runs each query against each knowledge base (hybrid retrieval, query embeddings billed to the key) and keeps the
 * best passages by score, one per chunk: the results of `file_search` and of the `knowledge_search` built-in.
 */
export async function searchKnowledge(knowledge: KnowledgeService, accessor: KnowledgeAccessor, search: KnowledgeSearch): Promise<FileSearchResult[]> {
  const byChunk = new Map<string, FileSearchResult>();
  for (const query of search.queries) {
    if (query.trim() === "") continue;
    for (const reference of [...new Set(search.knowledgeBases)]) {
      const result = await knowledge.query(accessor, reference, { query, top: search.maxResults, abortSignal: search.signal });
      for (const passage of result.passages) {
        const key = `${result.knowledgeBase.id}:${passage.chunkId}`;
        const found: FileSearchResult = { file_id: passage.documentId, filename: passage.documentName, score: passage.score, text: passage.text, attributes: { knowledge_base: result.knowledgeBase.name } };
        const previous = byChunk.get(key);
        if (!previous || previous.score < found.score) byChunk.set(key, found);
      }
    }
  }
  return [...byChunk.values()].sort((left, right) => right.score - left.score).slice(0, search.maxResults);
}

/** Passages as a model reads them: numbered, each with its file name. */
export function passagesText(results: FileSearchResult[]): string {
  if (results.length === 0) return "No passages found.";
  return results.map((result, index) => `[${index + 1}] (${result.filename})\n${result.text}`).join("\n\n");
}
