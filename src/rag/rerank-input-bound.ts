/**
 * An upper bound of the tokens a reranker processes for `query` against `documents` (each pair is query + document
 * + a few special tokens; a token is at least one UTF-8 byte): what budgets reserve before a rerank call.
 */
export function rerankInputBound(query: string, documents: readonly string[]): number {
  const queryBytes = Buffer.byteLength(query, "utf8") + 4;
  return documents.reduce((sum, document) => sum + queryBytes + Buffer.byteLength(document, "utf8"), 0);
}
