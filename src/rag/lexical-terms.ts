const asciiOnly = /^[\x00-\x7f]*$/;

/**
 * Lexical terms as the lexical index sees them (mirrors FTS5 `unicode61 remove_diacritics 2`): lowercased,
 * diacritics removed, maximal runs of letters and digits. No stemming, no stop words.
 */
export function lexicalTerms(text: string): string[] {
  if (asciiOnly.test(text)) return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  return text.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}
