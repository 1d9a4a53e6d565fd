/** One ranked list to fuse, best first. */
export type RankedList<T> = { items: T[]; weight: number };

/**
 * Weighted reciprocal rank fusion: score(d) = Σ weight / (k + rank), rank 1-based. Items are identified by
 * `keyOf`; ties keep first-seen order. Returns items with their fused score, best first.
 */
export function reciprocalRankFusion<T>(lists: RankedList<T>[], keyOf: (item: T) => string | number, k = 60): Array<{ item: T; score: number }> {
  const fused = new Map<string | number, { item: T; score: number; order: number }>();
  for (const list of lists) {
    if (list.weight <= 0) continue;
    list.items.forEach((item, index) => {
      const key = keyOf(item);
      const entry = fused.get(key) ?? { item, score: 0, order: fused.size };
      entry.score += list.weight / (k + index + 1);
      fused.set(key, entry);
    });
  }
  return [...fused.values()].sort((left, right) => right.score - left.score || left.order - right.order).map(({ item, score }) => ({ item, score }));
}
