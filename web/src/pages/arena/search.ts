/** Shareable URL state of the arena page (kept tiny: routes.tsx imports it into the entry). */
export type ArenaTab = "battle" | "leaderboard";
export type ArenaSearch = { tab?: ArenaTab | undefined };

export function validateArenaSearch(search: Record<string, unknown>): ArenaSearch {
  return { tab: search.tab === "leaderboard" ? "leaderboard" : search.tab === "battle" ? "battle" : undefined };
}
