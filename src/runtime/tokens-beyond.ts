/**
 * Characters per token above which a text is first tokenized only in part. Tokenizing is synchronous and, for some
 * vocabularies, superlinear (a 3 MB prompt held the event loop for 8 s), so a text longer than a context could hold
 * at this many characters per token is tokenized only as far as needed to show that it does not fit.
 */
const charactersPerToken = 16;

/**
 * Proves, on a prefix, that `texts` (evaluated one after another) hold more than `limit` tokens: returns the tokens
 * counted in the first `limit × 16` characters when they already exceed `limit`, else undefined (tokenize in full
 * to know). Short texts are never tokenized here.
 */
export function tokensBeyond(tokenize: (text: string) => readonly unknown[], texts: readonly string[], limit: number): { tokens: number; characters: number } | undefined {
  const budget = limit * charactersPerToken;
  if (texts.reduce((sum, text) => sum + text.length, 0) <= budget) return undefined;
  let tokens = 0;
  let characters = 0;
  for (const text of texts) {
    if (characters >= budget) break;
    const piece = text.slice(0, budget - characters);
    tokens += tokenize(piece).length;
    characters += piece.length;
  }
  return tokens > limit ? { tokens, characters } : undefined;
}
