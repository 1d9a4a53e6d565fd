import { cosineSimilarity } from "./vector-math.js";

/** A candidate for {@link maximalMarginalRelevance}: relevance (any scale) and an optional vector. */
export type DiversityCandidate<T> = { item: T; relevance: number; vector: ArrayLike<number> | undefined };

/**
 * Maximal marginal relevance: picks `limit` items maximising λ·relevance − (1−λ)·max cosine similarity to
 * the items already picked. Relevance is min-max normalised first; λ = 1 keeps the relevance order.
 */
export function maximalMarginalRelevance<T>(candidates: DiversityCandidate<T>[], options: { limit: number; lambda?: number | undefined }): T[] {
  const lambda = options.lambda ?? 0.7;
  const relevances = candidates.map((candidate) => candidate.relevance);
  const minimum = Math.min(...relevances);
  const range = Math.max(...relevances) - minimum;
  const normalised = candidates.map((candidate) => ({ ...candidate, relevance: range > 0 ? (candidate.relevance - minimum) / range : 1 }));
  const selected: typeof normalised = [];
  const remaining = [...normalised];
  while (selected.length < options.limit && remaining.length > 0) {
    let bestIndex = 0;
    let bestScore = -Infinity;
    remaining.forEach((candidate, index) => {
      const redundancy = candidate.vector
        ? Math.max(0, ...selected.map((chosen) => (chosen.vector ? cosineSimilarity(candidate.vector!, chosen.vector) : 0)))
        : 0;
      const score = lambda * candidate.relevance - (1 - lambda) * redundancy;
      if (score > bestScore) {
        bestScore = score;
        bestIndex = index;
      }
    });
    selected.push(...remaining.splice(bestIndex, 1));
  }
  return selected.map((candidate) => candidate.item);
}
