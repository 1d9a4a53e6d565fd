/**
 * Terms used to draw BM25 candidates: the rarest terms first, while their postings fit `postingsBudget` (at least
 * the two rarest), so a query never scans most of the index; every query term still counts in the exact BM25
 * re-scoring of the candidates. Shared by the SQLite and PostgreSQL stores so both rank alike.
 */
export function candidateGenerationTerms(terms: string[], documentFrequency: Map<string, number>, postingsBudget: number): string[] {
  const sorted = [...terms].sort((left, right) => documentFrequency.get(left)! - documentFrequency.get(right)! || (left < right ? -1 : 1));
  const chosen: string[] = [];
  let postings = 0;
  for (const term of sorted) {
    postings += documentFrequency.get(term)!;
    if (chosen.length >= 2 && postings > postingsBudget) break;
    chosen.push(term);
  }
  return chosen;
}

/** The text a document is lexically indexed by as a whole: its title, then its text. */
export function documentSearchText(title: string | undefined, text: string): string {
  return title ? `${title}\n${text}` : text;
}
