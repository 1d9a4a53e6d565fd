/** The playground's URL state: `?mode=compare` opens the side-by-side comparison (shareable link). */
export type PlaygroundSearch = { mode?: "compare" };

export function validatePlaygroundSearch(search: Record<string, unknown>): PlaygroundSearch {
  return search.mode === "compare" ? { mode: "compare" } : {};
}
