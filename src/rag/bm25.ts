/** Corpus statistics BM25 needs. */
export type Bm25Statistics = {
  documentCount: number;
  averageLength: number;
  /** Number of chunks containing each query term. */
  documentFrequency: Map<string, number>;
};

/** BM25 parameters. */
export type Bm25Parameters = {
  /** Term-frequency saturation (default 0.9, the BEIR/Anserini setting). */
  k1?: number | undefined;
  /** Length normalisation (default 0.4). */
  b?: number | undefined;
};

/** Lucene's non-negative idf: ln(1 + (N − df + 0.5) / (df + 0.5)). */
export function bm25InverseDocumentFrequency(documentCount: number, documentFrequency: number): number {
  return Math.log(1 + (documentCount - documentFrequency + 0.5) / (documentFrequency + 0.5));
}

/** BM25 score of one document (its terms) for a query (its terms, repeats count). */
export function bm25Score(queryTerms: string[], documentTerms: string[], statistics: Bm25Statistics, parameters: Bm25Parameters = {}): number {
  const k1 = parameters.k1 ?? 0.9;
  const b = parameters.b ?? 0.4;
  const frequencies = new Map<string, number>();
  for (const term of documentTerms) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
  const lengthRatio = statistics.averageLength > 0 ? documentTerms.length / statistics.averageLength : 1;
  let score = 0;
  for (const term of queryTerms) {
    const frequency = frequencies.get(term);
    const documentFrequency = statistics.documentFrequency.get(term);
    if (!frequency || !documentFrequency) continue;
    const idf = bm25InverseDocumentFrequency(statistics.documentCount, documentFrequency);
    score += (idf * frequency * (k1 + 1)) / (frequency + k1 * (1 - b + b * lengthRatio));
  }
  return score;
}
